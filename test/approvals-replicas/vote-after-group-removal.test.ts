// Two gateway replicas on one PostgreSQL store, and a reviewer the identity provider takes out of
// the approver group over SCIM (not deprovisioned) a moment before their vote reaches the other
// replica. Until that replica reads the directory again (the store's notice, or its next revocation
// poll) it still gives the reviewer the group. The change is written here straight into the shared
// store with psql's client (pg), as a SCIM endpoint commits it, without raising the access version
// the replicas watch, so that window stays open for as long as the test needs. The approval must not
// stand in it: the store counts an approval only from someone its committed directory places among
// the request's approvers (ApprovalStore.addVote); it refuses that one alone (not-an-approver), and
// the request waits for its other approvers. Until 7 December a vote in that window approved the
// request, and a grant followed; until 7 December too, the refusal withdrew the whole request.
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
  ({ a, b } = await startScimReviewPair());
});
after(async () => {
  await closeReplicaPair(a, b);
});

/** Takes every member out of the group in the shared store as SCIM commits it; no replica has read it yet. */
async function emptyGroupUnread(groupId: string): Promise<void> {
  const client = new pg.Client({ connectionString: a.postgresStore!.url });
  await client.connect();
  try {
    const done = await client.query(
      `DELETE FROM "${a.postgresStore!.schema}".scim_members WHERE group_id = $1`,
      [groupId],
    );
    assert.equal(done.rowCount, 1);
  } finally {
    await client.end();
  }
}

test('a reviewer taken out of the approver group a moment before their vote reaches the other replica approves nothing', async () => {
  const { groupId, token } = await reviewerInNewGroup(a, 'okta', 'security', 'oona@example.com');

  const asked = await postApi(a, TOKENS.bob, '/api/access-requests', {
    connection: 'oa',
    duration: '1h',
    reason: 'INC-9',
  });
  assert.equal(asked.status, 201, JSON.stringify(asked.body));
  const id = (asked.body.approval as ApprovalRecord).id;
  const first = await postApi(a, TOKENS.alice, `/api/approvals/${id}/approve`, { reason: 'fine' });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  await emptyGroupUnread(groupId);

  // oona's approval would be the second one, completing the request.
  const vote = await postApi(b, token, `/api/approvals/${id}/approve`, { reason: 'fine' });
  assert.equal(vote.code, 'approval_not_reviewer', JSON.stringify(vote.body));
  const final = (await a.store.approvals.getApproval(id))!;
  assert.equal(final.status, 'pending', 'an approval from someone out of the approvers completes nothing');
  assert.deepEqual(
    final.votes.map((v) => v.reviewer.subject),
    ['alice'],
  );
  const grants = (await a.store.approvals.listGrants({ subject: 'bob' })).filter((g) => g.approvalId === id);
  assert.deepEqual(grants, []);
  const closes = (await recordedEvents(b, 'approval.decided')).filter(
    (e) => e.payload?.approval_id === id && e.identity.subject === 'vigil',
  );
  assert.deepEqual(closes, [], 'the request waits for its other approvers');
  // oona's attempt is recorded too, as not counted.
  const oonas = (await recordedEvents(b, 'approval.decided')).filter(
    (e) => e.payload?.approval_id === id && e.identity.subject === 'oona@example.com',
  );
  assert.deepEqual(
    oonas.map((e) => e.payload?.counted ?? true),
    [true, false],
  );
  assert.match(String(oonas[1]!.payload?.reason), /^not counted: .+ is no longer among the approvers/);
});
