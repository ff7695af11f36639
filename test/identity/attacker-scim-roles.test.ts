// Attacker: an admin whose admin role comes from a group (`identity.roles.admin: [group:platform]`)
// is taken out of that group by the identity provider over SCIM, which Vigil documents as
// authoritative for the groups it manages. The roles are written into the Vigil token at sign-in, so
// without more the token keeps the admin role for its whole life: the person can still mint service
// tokens, disable others and read everything. A role that a managed group gave must end with the
// membership, on tokens signed in before the change and on sign-ins whose claims still carry it.
// Real parts: the gateway, the OpenID provider (oidc-provider), SCIM.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { issueScimToken, ScimClient } from '../scim/scim-client.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startTestProvider, TestBrowser, type TestProvider } from '../support/oidc-provider.js';

/** The parts of admin API answers these tests read. */
interface ApiBody {
  readonly error?: { readonly code: string };
  readonly approval?: { readonly id: string };
  readonly roles?: readonly string[];
}

let provider: TestProvider;
let gateway: TestGateway;
let scim: ScimClient;

before(async () => {
  provider = await startTestProvider({
    // The provider's groups claim lags behind SCIM (or comes from another source): it still says platform.
    'pia-sub': { email: 'pia@example.com', groups: ['platform', 'staff'] },
    'ola-sub': { email: 'ola@example.com', groups: ['platform'] },
  });
  gateway = await startTestGateway({
    identity: {
      scim: { enabled: true },
      oidc: { issuer: provider.issuer, client_id: 'vigil', allow_insecure_http: true },
      roles: { admin: ['group:platform', 'user:ola@example.com'], auditor: ['group:staff'] },
    },
  });
  scim = new ScimClient(gateway, await issueScimToken(gateway, 'idp'));
});

after(async () => {
  await gateway?.close();
  await provider?.close();
});

async function signIn(account: string): Promise<string> {
  provider.signInAs = account;
  const { response } = await new TestBrowser().follow(`${gateway.url}/auth/login`);
  assert.equal(response?.status, 200);
  return ((await response!.json()) as { token: string }).token;
}

async function api(token: string, path: string) {
  const res = await fetch(gateway.url + path, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as ApiBody };
}

test('removing someone from the SCIM group that made them admin takes the admin role away', async () => {
  const pia = await scim.createUser('pia@example.com');
  const platform = await scim.createGroup('platform', [pia]);
  const token = await signIn('pia-sub');
  assert.equal((await api(token, '/api/tokens')).status, 200, 'an admin while in the group');

  await scim.removeMember(platform, pia);
  const after = await api(token, '/api/tokens');
  assert.equal(after.status, 403, `still an admin after leaving the group: ${JSON.stringify(after.body)}`);
  assert.equal(after.body.error?.code, 'forbidden_role');
  const who = await api(token, '/api/whoami');
  assert.deepEqual(who.body.roles, ['auditor', 'user'], 'a role from an unmanaged group stays');

  // Signing in again, with a provider whose claim still lists the group, gives it back no more.
  const fresh = await signIn('pia-sub');
  assert.equal((await api(fresh, '/api/tokens')).status, 403);
});

test('a role granted to the person by name does not depend on a managed group', async () => {
  const ola = await scim.createUser('ola@example.com');
  assert.ok(ola);
  // ola is in no SCIM group, so the managed `platform` her claim lists does not count for her,
  // but `user:ola@example.com` names her: she stays an admin.
  const token = await signIn('ola-sub');
  assert.equal((await api(token, '/api/tokens')).status, 200);
});
