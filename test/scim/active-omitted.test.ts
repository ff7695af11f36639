// A deactivated person stays deactivated until the provider says otherwise. A profile update sent as
// a PUT that leaves `active` out (a connector that sends only the attributes it maps), or a PATCH
// that removes `active`, must not read as `active: true`: the person would be signed back in by a
// change that never mentioned their status. A new user without `active` is still active.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { issueScimToken, patchOps, ScimClient, USER_SCHEMA } from './scim-client.js';

let gateway: TestGateway;
let scim: ScimClient;

before(async () => {
  gateway = await startTestGateway({ identity: { scim: { enabled: true } }, connections: [] });
  scim = new ScimClient(gateway, await issueScimToken(gateway, 'connector'));
});

after(async () => {
  await gateway?.close();
});

/** Whether a token the person signs in with after the change is accepted by the admin API. */
async function signsIn(subject: string): Promise<boolean> {
  const { token } = await gateway.vigilTokens.issue({ subject, groups: [], roles: ['user'], ttlMs: 60_000 });
  const res = await fetch(`${gateway.url}/api/approvals`, { headers: { authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  return res.status === 200;
}

test('a PUT without "active" keeps a deactivated user deactivated', async () => {
  const userName = 'quinn@example.com';
  const created = await scim.post('/Users', { schemas: [USER_SCHEMA], userName, displayName: 'Quinn' });
  assert.equal(created.status, 201);
  assert.equal(created.body.active, true, 'a new user without "active" is active');
  const off = await scim.patch(
    `/Users/${created.body.id}`,
    patchOps({ op: 'replace', path: 'active', value: false }),
  );
  assert.equal(off.status, 200);
  // Clock granularity: a token from the same second as the deactivation is void anyway.
  await new Promise((r) => setTimeout(r, 1100));
  assert.equal(await signsIn(userName), false);

  const put = await scim.put(`/Users/${created.body.id}`, {
    schemas: [USER_SCHEMA],
    userName,
    displayName: 'Quinn Q.',
  });
  assert.equal(put.status, 200);
  assert.equal(put.body.active, false);
  assert.equal(put.body.displayName, 'Quinn Q.');
  assert.equal(await signsIn(userName), false, 'a profile update signed a deactivated person back in');

  const removed = await scim.patch(`/Users/${created.body.id}`, patchOps({ op: 'remove', path: 'active' }));
  assert.equal(removed.status, 200);
  assert.equal(removed.body.active, false);
  assert.equal(await signsIn(userName), false);

  // Saying so still re-activates.
  const on = await scim.put(`/Users/${created.body.id}`, { schemas: [USER_SCHEMA], userName, active: true });
  assert.equal(on.body.active, true);
  assert.equal(await signsIn(userName), true);
});
