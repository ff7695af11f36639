// Two gateway replicas on one PostgreSQL store, and a reviewer the identity provider deprovisions
// over SCIM a moment before their vote reaches the other replica. A replica reads the directory
// again when the store announces a change (or at its next revocation poll): until it has, it still
// lets the reviewer in. The change is written here straight into the shared store with psql's client
// (pg), as a SCIM endpoint commits it, without raising the access version the replicas watch, so
// that window stays open for as long as the test needs. The approval must not stand in it: the store
// counts a vote only against the directory as committed (ApprovalStore.addVote). Until 7 December a
// vote in that window approved the request, and a grant followed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import type { ApprovalRecord } from '../../src/core/ports.js';
import { GROUP_SCHEMA, issueScimToken, patchOps, ScimClient, USER_SCHEMA } from '../scim/scim-client.js';
import { recordedEvents, type TestGateway, TOKENS } from '../support/gateway.js';
import { closeReplicaPair, postApi, provisionedToken, startScimReviewPair } from '../support/replicas.js';

let a: TestGateway;
let b: TestGateway;
let scim: ScimClient;
let security: string;

before(async () => {
  ({ a, b } = await startScimReviewPair());
  scim = new ScimClient(a, await issueScimToken(a, 'okta'));
  const group = await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'security', members: [] });
  assert.equal(group.status, 201);
  security = group.body.id;
});
after(async () => {
  await closeReplicaPair(a, b);
});

/** A reviewer provisioned over SCIM (through replica A) into group:security, with a token. */
async function reviewer(userName: string): Promise<string> {
  const user = await scim.post('/Users', { schemas: [USER_SCHEMA], userName, active: true });
  assert.equal(user.status, 201);
  const joined = await scim.patch(
    `/Groups/${security}`,
    patchOps({ op: 'add', path: 'members', value: [{ value: user.body.id }] }),
  );
  assert.equal(joined.status, 200, JSON.stringify(joined.body));
  const token = await provisionedToken(a, userName);
  return token;
}

/** Deprovisions `userName` in the shared store as SCIM commits it; no replica has read it yet. */
async function deprovisionUnread(userName: string): Promise<void> {
  const client = new pg.Client({ connectionString: a.postgresStore!.url });
  await client.connect();
  try {
    const done = await client.query(
      `UPDATE "${a.postgresStore!.schema}".scim_users SET active = false WHERE user_name_key = $1`,
      [userName.toLowerCase()],
    );
    assert.equal(done.rowCount, 1);
  } finally {
    await client.end();
  }
}

async function ask(reason: string): Promise<string> {
  const asked = await postApi(a, TOKENS.bob, '/api/access-requests', {
    connection: 'oa',
    duration: '1h',
    reason,
  });
  assert.equal(asked.status, 201, JSON.stringify(asked.body));
  return (asked.body.approval as ApprovalRecord).id;
}

async function grantsOf(id: string) {
  return (await a.store.approvals.listGrants({ subject: 'bob' })).filter((g) => g.approvalId === id);
}

test('a reviewer deprovisioned a moment before their vote reaches the other replica approves nothing', async () => {
  const mal = await reviewer('mal@example.com');
  const id = await ask('INC-1');
  const first = await postApi(a, TOKENS.alice, `/api/approvals/${id}/approve`, { reason: 'fine' });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  await deprovisionUnread('mal@example.com');

  // mal's approval would be the second one, completing the request.
  const vote = await postApi(b, mal, `/api/approvals/${id}/approve`, { reason: 'fine' });
  assert.equal(vote.status, 401, JSON.stringify(vote.body));
  assert.equal(vote.code, 'auth_revoked');
  const final = (await a.store.approvals.getApproval(id))!;
  assert.equal(final.status, 'pending', 'a vote from someone already removed is not counted');
  assert.deepEqual(
    final.votes.map((v) => v.reviewer.subject),
    ['alice'],
  );
  assert.deepEqual(await grantsOf(id), []);
  // The ledger says the attempt did not count.
  const decided = (await recordedEvents(b, 'approval.decided')).filter(
    (e) => e.payload?.approval_id === id && e.identity.subject === 'mal@example.com',
  );
  assert.deepEqual(
    decided.map((e) => e.payload?.counted ?? true),
    [true, false],
  );
});

test('an approval given before its reviewer was deprovisioned does not complete the request afterwards', async () => {
  const ned = await reviewer('ned@example.com');
  const id = await ask('INC-2');
  const first = await postApi(b, ned, `/api/approvals/${id}/approve`, { reason: 'fine' });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal((first.body.approval as ApprovalRecord).status, 'pending');
  await deprovisionUnread('ned@example.com');

  // alice (group:ai-eng) would complete it with ned's approval.
  const second = await postApi(a, TOKENS.alice, `/api/approvals/${id}/approve`, { reason: 'ok' });
  assert.equal(second.status, 409, JSON.stringify(second.body));
  assert.equal(second.code, 'approval_closed');
  assert.equal((await a.store.approvals.getApproval(id))?.status, 'withdrawn');
  assert.deepEqual(await grantsOf(id), [], 'no grant rests on the approval of a removed reviewer');
  const withdrawn = (await recordedEvents(a, 'approval.decided')).filter(
    (e) =>
      e.payload?.approval_id === id && e.payload?.outcome === 'withdrawn' && e.identity.subject === 'vigil',
  );
  assert.equal(withdrawn.length, 1, 'the withdrawal is recorded once');
});
