// Two gateway replicas on one PostgreSQL store, and a reviewer whom the identity provider takes out of
// the approver group over SCIM, or whose approver group it deletes outright, a moment before their
// approval reaches the other replica. That replica still gives them the group from its copy of the
// directory (the change is written here straight into the shared store, as a SCIM endpoint commits
// it, without raising the access version the replicas watch, so the window stays open). The store
// refuses that approval alone (not-an-approver): the reviewer gets approval_not_reviewer, the ledger
// says the approval did not count, and the request waits for its other approvers, as it would had the
// approval come a moment later. Until 7 December a removal withdrew the whole request, and a deleted
// group was no longer taken as SCIM's, so the stale copy's group counted and the request was approved.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import type { ApprovalRecord } from '../../src/core/ports.js';
import { recordedEvents, type TestGateway, TOKENS } from '../support/gateway.js';
import { closeReplicaPair, postApi, startScimReviewPair } from '../support/replicas.js';
import { reviewerInNewGroup } from './scim-reviewers.js';

let a: TestGateway;
let b: TestGateway;

before(async () => {
  ({ a, b } = await startScimReviewPair(['group:security', 'group:oncall', 'group:ai-eng']));
});
after(async () => {
  await closeReplicaPair(a, b);
});

/** Runs one statement on the shared store as a SCIM endpoint commits it; no replica has read it yet. */
async function writeUnread(sql: string, params: unknown[]): Promise<void> {
  const client = new pg.Client({ connectionString: a.postgresStore!.url });
  await client.connect();
  try {
    await client.query(sql.replaceAll('SCHEMA', `"${a.postgresStore!.schema}"`), params);
  } finally {
    await client.end();
  }
}

/** A SCIM user in a new approver group `group`, and a token for them; B has read both. */
const reviewerIn = (group: string, userName: string) =>
  reviewerInNewGroup(a, `okta-${group}`, group, userName);

/** bob's request, which alice (ai-eng) has approved once: one more approval completes it. */
async function halfApproved(reason: string): Promise<string> {
  const asked = await postApi(a, TOKENS.bob, '/api/access-requests', {
    connection: 'oa',
    duration: '1h',
    reason,
  });
  assert.equal(asked.status, 201, JSON.stringify(asked.body));
  const id = (asked.body.approval as ApprovalRecord).id;
  const first = await postApi(a, TOKENS.alice, `/api/approvals/${id}/approve`, { reason: 'fine' });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  return id;
}

/** The approval was refused alone: the request waits with alice's approval, no grant, no withdrawal. */
async function refusedAlone(id: string, vote: { code: string | null; body: unknown }, subject: string) {
  assert.equal(vote.code, 'approval_not_reviewer', JSON.stringify(vote.body));
  const now = (await a.store.approvals.getApproval(id))!;
  assert.equal(now.status, 'pending', 'the request waits for its other approvers');
  assert.deepEqual(
    now.votes.map((v) => v.reviewer.subject),
    ['alice'],
  );
  const grants = (await a.store.approvals.listGrants({ subject: 'bob' })).filter((g) => g.approvalId === id);
  assert.deepEqual(grants, []);
  const decided = (await recordedEvents(b, 'approval.decided')).filter((e) => e.payload?.approval_id === id);
  assert.deepEqual(
    decided.filter((e) => e.identity.subject === 'vigil').map((e) => e.payload?.outcome),
    [],
    'nothing withdrew the request',
  );
  const theirs = decided.filter((e) => e.identity.subject === subject);
  assert.deepEqual(
    theirs.map((e) => [e.payload?.counted ?? true, e.payload?.outcome]),
    [
      [true, 'approved'],
      [false, 'pending'],
    ],
  );
  assert.match(String(theirs[1]!.payload?.reason), /^not counted: .+ is no longer among the approvers/);
}

test('an approval from a reviewer just taken out of the approver group is refused; the request waits', async () => {
  const { groupId, token } = await reviewerIn('security', 'oona@example.com');
  const id = await halfApproved('INC-11');
  await writeUnread('DELETE FROM SCHEMA.scim_members WHERE group_id = $1', [groupId]);

  const vote = await postApi(b, token, `/api/approvals/${id}/approve`, { reason: 'fine' });
  await refusedAlone(id, vote, 'oona@example.com');
});

test('an approval from a reviewer whose approver group SCIM just deleted is refused; the request waits', async () => {
  const { groupId, token } = await reviewerIn('oncall', 'piet@example.com');
  const id = await halfApproved('INC-12');
  await writeUnread('DELETE FROM SCHEMA.scim_members WHERE group_id = $1', [groupId]);
  await writeUnread('DELETE FROM SCHEMA.scim_groups WHERE id = $1', [groupId]);

  const vote = await postApi(b, token, `/api/approvals/${id}/approve`, { reason: 'fine' });
  await refusedAlone(id, vote, 'piet@example.com');
});
