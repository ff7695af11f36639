// The ApprovalStore contract for ending a request's session (settleRequestSession) and for an
// approval from someone the committed directory no longer places among the approvers (addVote's
// not-an-approver). A replica about to end an access request's session reads, from the store, the
// request's status and whether the ledger holds the session's end already; whichever replica comes
// second finds the first one's end. And an approval refused because its own reviewer is out of the
// approver group is refused alone: nothing is stored, the request stays pending for the others.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RequestSessionState } from '../../src/core/approval-ports.js';
import type { ScimGroupRecord, ScimUserRecord } from '../../src/core/ports.js';
import {
  approval,
  at,
  draft,
  recorderFor,
  type StoreFactory,
  vote,
  withStore,
} from './conformance-support.js';

function scimUser(id: string, userName: string): ScimUserRecord {
  return {
    id,
    userName,
    externalId: null,
    active: true,
    attributes: {},
    tokensRevokedAt: at(1),
    createdAt: at(1),
    updatedAt: at(1),
    version: 1,
  };
}

function dba(members: string[], version: number): ScimGroupRecord {
  return {
    id: 'g-dba',
    displayName: 'dba',
    externalId: null,
    members,
    createdAt: at(1),
    updatedAt: at(1),
    version,
  };
}

export function requestSessionConformance(factory: StoreFactory): void {
  test('settleRequestSession: the request status and whether its session has ended, as committed', () =>
    withStore(factory, async (store) => {
      const { approvals } = store;
      const seen: RequestSessionState[] = [];
      const settle = async (state: RequestSessionState) => {
        seen.push(state);
        return seen.length;
      };
      assert.equal(await approvals.settleRequestSession('nobody', settle), null);
      assert.deepEqual(seen, [], 'nothing to settle for an unknown request');

      await approvals.createApproval(approval('a1', { kind: 'access', rule: null }));
      // No event of the session yet: it has not ended.
      assert.equal(await approvals.settleRequestSession('a1', settle), 1);
      const recorder = await recorderFor(store);
      await recorder.append(draft('session-a1', 1, { type: 'session.start', payload: {} }), 'access-request');
      assert.equal(await approvals.settleRequestSession('a1', settle), 2);
      await recorder.append(draft('session-a1', 2, { type: 'session.end', payload: { reason: 'shutdown' } }));
      await recorder.drain();
      assert.equal((await approvals.addVote('a1', vote('carol', 'approve', 3))).outcome, 'recorded');
      assert.equal(await approvals.settleRequestSession('a1', settle), 3);
      assert.deepEqual(seen, [
        { status: 'pending', sessionEnded: false },
        { status: 'pending', sessionEnded: false },
        { status: 'approved', sessionEnded: true },
      ]);
      // What settle throws, the caller gets.
      await assert.rejects(
        approvals.settleRequestSession('a1', async () => {
          throw new Error('could not record');
        }),
        /could not record/,
      );
    }));

  test('addVote: an approval from a reviewer SCIM took out of the approver group is refused alone', () =>
    withStore(factory, async ({ approvals, access }) => {
      await access.putScimUser(scimUser('u-hal', 'hal'));
      await access.putScimUser(scimUser('u-ivy', 'ivy'));
      await access.putScimGroup(dba(['u-hal'], 1));
      await approvals.createApproval(approval('two', { required: 2 }));
      assert.equal((await approvals.addVote('two', vote('hal', 'approve', 1))).outcome, 'recorded');

      // ivy's vote carries dba, from a gateway's copy of the directory older than SCIM's change.
      assert.deepEqual(await approvals.addVote('two', vote('ivy', 'approve', 2)), {
        outcome: 'not-an-approver',
      });
      const waiting = (await approvals.getApproval('two'))!;
      assert.equal(waiting.status, 'pending', 'the request waits for its other approvers');
      assert.deepEqual(
        waiting.votes.map((v) => v.reviewer.subject),
        ['hal'],
      );
      // carol is an approver by name: her approval completes it with hal's.
      const carol = vote('carol', 'approve', 3);
      const done = await approvals.addVote('two', { ...carol, reviewer: { ...carol.reviewer, groups: [] } });
      assert.equal(done.outcome === 'recorded' && done.record.status, 'approved');
    }));
}
