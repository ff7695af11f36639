// Deprovisioning over SCIM and the approvals a person took part in, through the real admin API:
// - a reviewer's approval of a request that still waits for more approvals does not outlive them:
//   the request closes (withdrawn), so the next reviewer cannot complete it with the vote of someone
//   the identity provider has just removed;
// - a break-glass use stays in the review queue when the person who broke glass is deprovisioned
//   (its grant is revoked): offboarding someone is no reason to stop reviewing what they did.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ApprovalRecord, GrantRecord } from '../../src/core/ports.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { GROUP_SCHEMA, issueScimToken, patchOps, ScimClient, USER_SCHEMA } from './scim-client.js';

let gateway: TestGateway;
let scim: ScimClient;

before(async () => {
  gateway = await startTestGateway({
    identity: { scim: { enabled: true } },
    connections: [
      {
        name: 'oa',
        type: 'llm-openai',
        upstream: 'http://127.0.0.1:9',
        allow: ['group:contractors', 'group:oncall'],
        requires_grant: true,
      },
    ],
    approvals: {
      poll: '100ms',
      access_requests: { approvers: ['group:security'], required: 2, max_duration: '2h' },
      break_glass: { allowed: ['group:oncall'], reviewers: ['group:security'] },
    },
  });
  scim = new ScimClient(gateway, await issueScimToken(gateway, 'okta'));
});

after(async () => {
  await gateway?.close();
});

async function api(token: string, method: string, path: string, body?: object) {
  const res = await fetch(`${gateway.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  // biome-ignore lint/suspicious/noExplicitAny: API bodies are free-form JSON read by the assertions
  const json = (await res.json()) as any;
  return { status: res.status, code: res.headers.get('x-vigil-error'), body: json };
}

/** A person provisioned over SCIM in one group (made, or joined), with a signed-in token. */
async function provisioned(userName: string, group: string): Promise<{ id: string; token: string }> {
  const user = await scim.post('/Users', { schemas: [USER_SCHEMA], userName, active: true });
  assert.equal(user.status, 201);
  const groups = (await scim.get('/Groups')).body.Resources as { id: string; displayName: string }[];
  const found = groups.find((g) => g.displayName === group);
  const members = [{ value: user.body.id }];
  const made = found
    ? await scim.patch(`/Groups/${found.id}`, patchOps({ op: 'add', path: 'members', value: members }))
    : await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: group, members });
  assert.ok(made.status === 200 || made.status === 201, JSON.stringify(made.body));
  const { token } = await gateway.vigilTokens.issue({
    subject: userName,
    groups: [],
    roles: ['user'],
    ttlMs: 3_600_000,
  });
  return { id: user.body.id, token };
}

/** An honest reviewer, provisioned in group:security like the others. */
let val: { id: string; token: string };

test("a deprovisioned reviewer's approval does not count towards a request still waiting", async () => {
  const mal = await provisioned('mal@example.com', 'security');
  val = await provisioned('val@example.com', 'security');
  // bob (a contractor) asks; two of group:security must approve.
  const asked = await api(TOKENS.bob, 'POST', '/api/access-requests', {
    connection: 'oa',
    duration: '1h',
    reason: 'INC-7',
  });
  assert.equal(asked.status, 201, JSON.stringify(asked.body));
  const id = (asked.body.approval as ApprovalRecord).id;
  const first = await api(mal.token, 'POST', `/api/approvals/${id}/approve`, { reason: 'looks fine' });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal((first.body.approval as ApprovalRecord).status, 'pending');

  // The identity provider offboards mal.
  const off = await scim.patch(`/Users/${mal.id}`, patchOps({ op: 'replace', value: { active: false } }));
  assert.equal(off.status, 200);

  // A second reviewer would otherwise complete it with mal's vote.
  const second = await api(val.token, 'POST', `/api/approvals/${id}/approve`, { reason: 'ok' });
  assert.equal(second.status, 409, JSON.stringify(second.body));
  assert.equal(second.code, 'approval_closed');
  assert.equal((await gateway.store.approvals.getApproval(id))?.status, 'withdrawn');
  const grants: GrantRecord[] = await gateway.store.approvals.listGrants({ subject: 'bob' });
  assert.deepEqual(grants, [], 'no grant rests on the approval of a deprovisioned reviewer');
});

test('a request the deprovisioned person did not approve is left alone', async () => {
  const ned = await provisioned('ned@example.com', 'security-2');
  const asked = await api(TOKENS.bob, 'POST', '/api/access-requests', {
    connection: 'oa',
    duration: '1h',
    reason: 'INC-8',
  });
  const id = (asked.body.approval as ApprovalRecord).id;
  const off = await scim.delete(`/Users/${ned.id}`);
  assert.equal(off.status, 204);
  assert.equal((await gateway.store.approvals.getApproval(id))?.status, 'pending');
});

test('a break-glass use stays in the review queue when the person who broke glass is deprovisioned', async () => {
  const oz = await provisioned('oz@example.com', 'oncall');
  const used = await api(oz.token, 'POST', '/api/break-glass', {
    connection: 'oa',
    duration: '30m',
    reason: 'INC-9: payments down',
  });
  assert.equal(used.status, 201, JSON.stringify(used.body));
  const grant = used.body.grant as GrantRecord;
  const review = used.body.review as ApprovalRecord;

  const off = await scim.patch(
    `/Users/${oz.id}`,
    patchOps({ op: 'Replace', path: 'active', value: 'False' }),
  );
  assert.equal(off.status, 200);
  assert.notEqual((await gateway.store.approvals.getGrant(grant.id))?.revokedAt, null, 'the grant ends');
  assert.equal(
    (await gateway.store.approvals.getApproval(review.id))?.status,
    'pending',
    'the break-glass use must still be reviewed',
  );
  const pending = await api(val.token, 'GET', '/api/approvals?kind=break-glass');
  assert.ok((pending.body.approvals as ApprovalRecord[]).some((r) => r.id === review.id));
  const reviewed = await api(val.token, 'POST', `/api/approvals/${review.id}/deny`, {
    reason: 'no incident ticket',
  });
  assert.equal(reviewed.status, 200, JSON.stringify(reviewed.body));
  assert.equal((reviewed.body.approval as ApprovalRecord).status, 'denied');
});

test('a reviewer taken out of the approver group over SCIM: their approval of a waiting request lapses', async () => {
  const max = await provisioned('max@example.com', 'security');
  const groups = (await scim.get('/Groups')).body.Resources as { id: string; displayName: string }[];
  const security = groups.find((g) => g.displayName === 'security')!;
  const asked = await api(TOKENS.bob, 'POST', '/api/access-requests', {
    connection: 'oa',
    duration: '1h',
    reason: 'INC-10',
  });
  const id = (asked.body.approval as ApprovalRecord).id;
  const first = await api(max.token, 'POST', `/api/approvals/${id}/approve`, { reason: 'fine by me' });
  assert.equal(first.status, 200, JSON.stringify(first.body));

  const leave = patchOps({ op: 'remove', path: `members[value eq "${max.id}"]` });
  assert.equal((await scim.patch(`/Groups/${security.id}`, leave)).status, 200);

  const second = await api(val.token, 'POST', `/api/approvals/${id}/approve`, { reason: 'ok' });
  assert.equal(second.code, 'approval_closed', JSON.stringify(second.body));
  assert.equal((await gateway.store.approvals.getApproval(id))?.status, 'withdrawn');
  assert.deepEqual(await gateway.store.approvals.listGrants({ subject: 'bob' }), []);
});

test("an unrelated access change leaves a provisioned person's pending access request alone", async () => {
  const pia = await provisioned('pia@example.com', 'contractors');
  const asked = await api(pia.token, 'POST', '/api/access-requests', {
    connection: 'oa',
    duration: '1h',
    reason: 'INC-11',
  });
  assert.equal(asked.status, 201, JSON.stringify(asked.body));
  const request = asked.body.approval as ApprovalRecord;
  // An admin offboards someone else: every gateway re-reads the access state.
  const other = await api(TOKENS.alice, 'POST', '/api/users/nobody@example.com/disable', { reason: 'left' });
  assert.equal(other.status, 200);
  await new Promise((r) => setTimeout(r, 500));
  await gateway.recorder.drain();
  const events = await gateway.store.ledger.readSession(request.sessionId);
  assert.deepEqual(
    events.filter((e) => e.type === 'access.revoked' || e.type === 'session.end').map((e) => e.payload),
    [],
    "the request's session was cut although nothing about pia changed",
  );
});
