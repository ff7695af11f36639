// Two gateway replicas on one PostgreSQL store; the identity provider's SCIM pushes reach replica B,
// the requester and the reviewers use replica A. A reviewer taken out over SCIM of the group that
// made them an approver takes their approval of a request that still waits with them
// (docs/policy.md: the request is withdrawn). A requester who first fills the queue with 200 newer
// requests of their own must not keep that approval counting: the withdrawal looks at every
// pending request, not at the newest page of them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ApprovalRecord } from '../../src/core/ports.js';
import { GROUP_SCHEMA, issueScimToken, patchOps, ScimClient, USER_SCHEMA } from '../scim/scim-client.js';
import { type TestGateway, TOKENS } from '../support/gateway.js';
import { accessRequestSettings, closeReplicaPair, postApi, startReplicaPair } from '../support/replicas.js';

const FLOOD = 210;
let a: TestGateway;
let b: TestGateway;
let scim: ScimClient;

before(async () => {
  const settings = accessRequestSettings({ approvers: ['group:security'], required: 2, scim: true });
  ({ a, b } = await startReplicaPair(settings));
  scim = new ScimClient(b, await issueScimToken(b, 'okta'));
});
after(async () => {
  await closeReplicaPair(a, b);
});

/** A person provisioned over SCIM (on B) with a signed-in token (valid on every replica). */
async function provisioned(userName: string): Promise<{ id: string; token: string }> {
  const user = await scim.post('/Users', { schemas: [USER_SCHEMA], userName, active: true });
  assert.equal(user.status, 201, JSON.stringify(user.body));
  const { token } = await a.vigilTokens.issue({
    subject: userName,
    groups: [],
    roles: ['user'],
    ttlMs: 3_600_000,
  });
  return { id: user.body.id, token };
}

test('a reviewer taken out of the approver group loses their approval however full the queue is', async () => {
  const mal = await provisioned('mal@example.com');
  const val = await provisioned('val@example.com');
  const group = await scim.post('/Groups', {
    schemas: [GROUP_SCHEMA],
    displayName: 'security',
    members: [{ value: mal.id }, { value: val.id }],
  });
  assert.equal(group.status, 201, JSON.stringify(group.body));

  // bob asks on A; mal, still a reviewer, gives the first of two approvals.
  const asked = await postApi(a, TOKENS.bob, '/api/access-requests', {
    connection: 'oa',
    duration: '1h',
    reason: 'INC-7',
  });
  assert.equal(asked.status, 201, JSON.stringify(asked.body));
  const id = (asked.body.approval as ApprovalRecord).id;
  const first = await postApi(a, mal.token, `/api/approvals/${id}/approve`, { reason: 'looks fine' });
  assert.equal(first.status, 200, JSON.stringify(first.body));

  // bob buries the request under newer ones of his own (an access request is cheap to make).
  for (let i = 0; i < FLOOD; i += 15) {
    const batch = Array.from({ length: Math.min(15, FLOOD - i) }, (_, n) =>
      postApi(a, TOKENS.bob, '/api/access-requests', {
        connection: 'oa',
        duration: '1h',
        reason: `filler ${i + n}`,
      }),
    );
    for (const r of await Promise.all(batch)) assert.equal(r.status, 201, JSON.stringify(r.body));
  }

  // The provider takes mal out of security, through replica B.
  const removed = await scim.patch(
    `/Groups/${group.body.id}`,
    patchOps({ op: 'remove', path: `members[value eq "${mal.id}"]` }),
  );
  assert.equal(removed.status, 200, JSON.stringify(removed.body));
  assert.equal((await a.store.approvals.getApproval(id))?.status, 'withdrawn', 'the request is withdrawn');

  // val's approval must not complete it with mal's.
  const second = await postApi(a, val.token, `/api/approvals/${id}/approve`, { reason: 'ok' });
  assert.equal(second.status, 409, JSON.stringify(second.body));
  assert.deepEqual(await a.store.approvals.listGrants({ subject: 'bob' }), [], 'no grant rests on it');
});
