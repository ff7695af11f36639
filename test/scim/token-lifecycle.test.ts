// A SCIM token's life through the gateway, as an admin and an identity provider see it: issued with
// an expiry (90 days by default, at most 365), listed without its secret, revoked through the admin
// API (recorded like every admin call), and from then on refused on its next use with auth_revoked,
// the refusal recorded in the connector's SCIM session; an expired one is refused with auth_expired.
// Real gateway, real HTTP, the SCIM API as a provider calls it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectionEvents, startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { assertScimError, ScimClient, USER_SCHEMA } from './scim-client.js';

let gateway: TestGateway;

before(async () => {
  gateway = await startTestGateway({ identity: { scim: { enabled: true } }, connections: [] });
});
after(() => gateway?.close());

const DAY = 86_400_000;

async function admin(method: string, path: string, body?: object) {
  const res = await fetch(`${gateway.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: answers are read by the assertions
  return { status: res.status, code: res.headers.get('x-vigil-error'), text, body: JSON.parse(text) as any };
}

test('a revoked SCIM token is refused on its next use (auth_revoked), recorded, and changes nothing', async () => {
  const issuedAt = Date.now();
  const issued = await admin('POST', '/api/scim/tokens', { name: 'okta' });
  assert.equal(issued.status, 201, issued.text);
  const { token, id } = issued.body as { token: string; id: string };
  const expires = Date.parse(issued.body.expires_at);
  assert.ok(Math.abs(expires - (issuedAt + 90 * DAY)) < 60_000, `default lifetime 90 days: ${issued.text}`);

  const scim = new ScimClient(gateway, token);
  assert.equal(
    (await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'ada@example.com' })).status,
    201,
  );

  const listed = await admin('GET', '/api/scim/tokens');
  assert.equal(listed.status, 200);
  const entry = (listed.body.tokens as { id: string }[]).find((t) => t.id === id);
  assert.deepEqual(entry, {
    id,
    name: 'okta',
    created_at: issued.body.created_at,
    expires_at: issued.body.expires_at,
    revoked_at: null,
    state: 'active',
  });
  assert.ok(!listed.text.includes(token), 'the list never holds a secret');
  assert.doesNotMatch(listed.text, /hash/i);

  const revoked = await admin('DELETE', `/api/scim/tokens/${id}`);
  assert.deepEqual([revoked.status, revoked.body], [200, { id, revoked: true }]);

  const refused = await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'eve@example.com' });
  assertScimError(refused, 401);
  assert.equal(refused.headers.get('x-vigil-error'), 'auth_revoked');
  assert.equal(refused.headers.get('www-authenticate'), 'Bearer realm="vigil-scim"');
  assertScimError(await scim.get('/Users'), 401);
  const users = await gateway.store.access.listScimUsers();
  assert.deepEqual(
    users.map((u) => u.userName),
    ['ada@example.com'],
    'the refused request created nobody',
  );

  const again = await admin('DELETE', `/api/scim/tokens/${id}`);
  assert.deepEqual([again.status, again.body], [200, { id, revoked: false }]);
  const unknown = await admin('DELETE', '/api/scim/tokens/scim_nosuchtoken');
  assert.deepEqual([unknown.status, unknown.code], [404, 'scim_token_unknown']);
  const shown = (await admin('GET', '/api/scim/tokens')).body.tokens.find((t: { id: string }) => t.id === id);
  assert.equal(shown.state, 'revoked');
  assert.equal(typeof shown.revoked_at, 'string');

  // The revocation is an admin action of alice's in the ledger; the refused uses are access.denied
  // in the connector's own SCIM session, with the code.
  const actions = await connectionEvents(gateway, 'admin-api', 'admin.action');
  assert.ok(
    actions.some(
      (e) =>
        e.identity.subject === 'alice' &&
        e.payload?.method === 'DELETE' &&
        e.payload?.path === `/api/scim/tokens/${id}` &&
        e.payload?.status === 200,
    ),
    'the revocation is recorded',
  );
  const denied = (await connectionEvents(gateway, 'scim', 'access.denied')).filter(
    (e) => e.payload?.code === 'auth_revoked',
  );
  assert.equal(denied.length, 2);
  assert.ok(denied.every((e) => e.identity.subject === 'scim:okta'));
  assert.ok(!JSON.stringify(denied).includes(token), 'the token itself is never recorded');
});

test('an expired SCIM token is refused (auth_expired); the lifetime is bounded at 365 days', async () => {
  const issued = await admin('POST', '/api/scim/tokens', { name: 'entra', ttl: '3s' });
  assert.equal(issued.status, 201, issued.text);
  const scim = new ScimClient(gateway, issued.body.token);
  assert.equal((await scim.get('/ServiceProviderConfig')).status, 200, 'it works while it lives');
  await sleep(Math.max(0, Date.parse(issued.body.expires_at) - Date.now()) + 50);
  const refused = await scim.get('/ServiceProviderConfig');
  assertScimError(refused, 401);
  assert.equal(refused.headers.get('x-vigil-error'), 'auth_expired');
  const shown = (await admin('GET', '/api/scim/tokens')).body.tokens.find(
    (t: { id: string }) => t.id === issued.body.id,
  );
  assert.equal(shown.state, 'expired');
  const denied = await connectionEvents(gateway, 'scim', 'access.denied');
  assert.ok(denied.some((e) => e.payload?.code === 'auth_expired' && e.identity.subject === 'scim:entra'));

  for (const ttl of ['366d', '0s', 'forever', -5]) {
    const bad = await admin('POST', '/api/scim/tokens', { name: 'too-long', ttl });
    assert.deepEqual([bad.status, bad.code], [400, 'usage'], `ttl ${ttl}`);
  }
  const longest = await admin('POST', '/api/scim/tokens', { name: 'yearly', ttl: '365d' });
  assert.equal(longest.status, 201);
  assert.equal(Date.parse(longest.body.expires_at) - Date.parse(longest.body.created_at), 365 * DAY);
});

test('listing and revoking SCIM tokens is for admins only', async () => {
  for (const token of [TOKENS.audrey, TOKENS.bob]) {
    for (const [method, path] of [
      ['GET', '/api/scim/tokens'],
      ['DELETE', '/api/scim/tokens/scim_x'],
    ] as const) {
      const res = await fetch(`${gateway.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(res.status, 403, `${method} ${path}`);
      assert.equal(res.headers.get('x-vigil-error'), 'forbidden_role');
    }
  }
});
