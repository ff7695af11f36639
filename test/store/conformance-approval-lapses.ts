// The ApprovalStore contract for votes against the shared directory (ApprovalStore.addVote): the
// store counts no vote from someone disabled there, and no approval on a requester or an earlier
// approving reviewer disabled there, whatever a gateway's copy of the directory said. Disabled is
// what AccessState reads: listed as disabled (any kind, ASCII case folded), or a person SCIM marked
// inactive (a SCIM user says nothing about a service account of the same name). Nor does an
// approval count from someone the directory no longer places among the request's approvers: a group
// SCIM manages is held by its SCIM members only, whatever groups the vote carries.
// The reviewer's own approval is refused alone (not-an-approver); an earlier one lapses (the
// request is withdrawn).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ScimGroupRecord, ScimUserRecord } from '../../src/core/ports.js';
import { approval, at, type StoreFactory, vote, withStore } from './conformance-support.js';

function inactive(id: string, userName: string): ScimUserRecord {
  return { ...active(id, userName), active: false };
}

function active(id: string, userName: string): ScimUserRecord {
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

export function approvalLapseConformance(factory: StoreFactory): void {
  test('addVote: a reviewer disabled in the directory votes no more, and nothing is stored', () =>
    withStore(factory, async ({ approvals, access }) => {
      await approvals.createApproval(approval('a1', { required: 2 }));
      await approvals.createApproval(approval('a2', { required: 2 }));
      await access.disableIdentity('Carol', at(1), 'left');
      await access.putScimUser(inactive('u-dan', 'dan@example.com'));

      assert.deepEqual(await approvals.addVote('a1', vote('carol', 'approve', 2)), {
        outcome: 'reviewer-disabled',
      });
      assert.deepEqual(await approvals.addVote('a1', vote('DAN@example.com', 'deny', 2)), {
        outcome: 'reviewer-disabled',
      });
      // SCIM's inactive user is a person: a service account of that name still votes.
      const service = vote('dan@example.com', 'approve', 3);
      const counted = await approvals.addVote('a2', {
        ...service,
        reviewer: { ...service.reviewer, kind: 'service' },
      });
      assert.equal(counted.outcome, 'recorded');
      const a1 = (await approvals.getApproval('a1'))!;
      assert.deepEqual([a1.status, a1.votes], ['pending', []]);
    }));

  test('addVote: an approval counting on a disabled requester or an earlier approver lapses; a denial does not', () =>
    withStore(factory, async ({ approvals, access }) => {
      await approvals.createApproval(approval('by-erin', { required: 2 }));
      await approvals.createApproval(
        approval('of-fay', { required: 2, requester: { subject: 'fay', kind: 'user', groups: [] } }),
      );
      await approvals.createApproval(approval('denied', { required: 2 }));
      await approvals.createApproval(
        approval('glass', {
          kind: 'break-glass',
          rule: null,
          requester: { subject: 'fay', kind: 'user', groups: [] },
        }),
      );
      assert.equal((await approvals.addVote('by-erin', vote('erin', 'approve', 1))).outcome, 'recorded');
      assert.equal((await approvals.addVote('denied', vote('erin', 'approve', 1))).outcome, 'recorded');
      await access.putScimUser(inactive('u-erin', 'Erin'));
      await access.disableIdentity('fay', at(1), 'left');

      assert.deepEqual(await approvals.addVote('by-erin', vote('gus', 'approve', 2)), {
        outcome: 'lapsed',
        reason: 'an approval came from erin, who was disabled',
      });
      assert.deepEqual(await approvals.addVote('of-fay', vote('gus', 'approve', 2)), {
        outcome: 'lapsed',
        reason: 'the requester fay was disabled',
      });
      for (const id of ['by-erin', 'of-fay']) {
        const r = (await approvals.getApproval(id))!;
        assert.equal(r.status, 'pending', `${id}: the caller withdraws it`);
        assert.equal(r.votes.filter((v) => v.reviewer.subject === 'gus').length, 0, `${id}: gus not counted`);
      }
      // A denial keeps the action from running whoever else took part; a break-glass use is still reviewed.
      const denied = await approvals.addVote('denied', vote('gus', 'deny', 3));
      assert.equal(denied.outcome === 'recorded' && denied.record.status, 'denied');
      const reviewed = await approvals.addVote('glass', vote('gus', 'approve', 3));
      assert.equal(reviewed.outcome === 'recorded' && reviewed.record.status, 'approved');
    }));

  test('addVote: an approval counts only from an approver by the groups SCIM gives now; a denial still counts', () =>
    withStore(factory, async ({ approvals, access }) => {
      const dba = (members: string[], version: number): ScimGroupRecord => ({
        id: 'g-dba',
        displayName: 'dba',
        externalId: null,
        members,
        createdAt: at(1),
        updatedAt: at(1),
        version,
      });
      await access.putScimUser(active('u-hal', 'Hal'));
      await access.putScimUser(active('u-ivy', 'ivy'));
      await access.putScimGroup(dba(['u-hal'], 1));
      for (const id of ['voter', 'earlier', 'denied', 'service'])
        await approvals.createApproval(approval(id, { required: 2 }));
      await approvals.createApproval(approval('unmanaged', { approvers: ['group:ops'], required: 2 }));
      await approvals.createApproval(approval('glass', { kind: 'break-glass', rule: null }));

      // ivy's vote carries dba (a gateway's copy of the directory from before SCIM took it away):
      // refused alone, the request stays for its other approvers.
      assert.deepEqual(await approvals.addVote('voter', vote('ivy', 'approve', 2)), {
        outcome: 'not-an-approver',
      });
      const untouched = (await approvals.getApproval('voter'))!;
      assert.deepEqual([untouched.status, untouched.votes], ['pending', []]);
      // hal is a SCIM member of dba (his userName folded as subjects are).
      assert.equal((await approvals.addVote('voter', vote('hal', 'approve', 3))).outcome, 'recorded');

      // An approval already counted stands no more once SCIM takes its reviewer out of dba.
      assert.equal((await approvals.addVote('earlier', vote('hal', 'approve', 4))).outcome, 'recorded');
      await access.putScimGroup(dba([], 2));
      assert.deepEqual(await approvals.addVote('earlier', vote('carol', 'approve', 5)), {
        outcome: 'lapsed',
        reason: 'an approval came from hal, no longer among its approvers',
      });
      assert.equal((await approvals.getApproval('earlier'))!.status, 'pending', 'the caller withdraws it');

      // A denial keeps the action from running; a service account holds no SCIM group; a group SCIM
      // does not manage is held as the vote says; a break-glass use is still reviewed.
      const denied = await approvals.addVote('denied', vote('ivy', 'deny', 6));
      assert.equal(denied.outcome === 'recorded' && denied.record.status, 'denied');
      const robot = vote('deploy-bot', 'approve', 7);
      const byService = await approvals.addVote('service', {
        ...robot,
        reviewer: { ...robot.reviewer, kind: 'service' },
      });
      assert.equal(byService.outcome, 'recorded');
      const ops = vote('ivy', 'approve', 8);
      const unmanaged = await approvals.addVote('unmanaged', {
        ...ops,
        reviewer: { ...ops.reviewer, groups: ['ops'] },
      });
      assert.equal(unmanaged.outcome, 'recorded');
      const reviewed = await approvals.addVote('glass', vote('ivy', 'approve', 9));
      assert.equal(reviewed.outcome === 'recorded' && reviewed.record.status, 'approved');
    }));
}
