// Attacker: someone who can choose their subject, or part of it, and picks one that is another
// identity's under a loose comparison. Unicode lower-casing maps the Kelvin sign (U+212A) onto ASCII
// `k`, so `\u212Aate@example.com` lower-cases to `kate@example.com`; an identity provider that allows
// Unicode addresses (or `subject_claim` set to a name people choose) lets them sign in as that.
// Vigil folds only ASCII case, so they are someone else: not Kate's SCIM groups, not her roles.
// Also here: a person SCIM does not provision keeps no group SCIM manages by claiming it, and a SCIM
// user named like a service account does not disable the service when deprovisioned.
// Real parts: the gateway, the OpenID provider (oidc-provider), SCIM over HTTP.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sameSubject, subjectKey } from '../../src/core/events.js';
import { issueScimToken, ScimClient } from '../scim/scim-client.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { startTestProvider, TestBrowser, type TestProvider } from '../support/oidc-provider.js';

const KELVIN_KATE = '\u212Aate@example.com';

interface WhoAmI {
  readonly identity?: { readonly subject: string; readonly groups: readonly string[] };
  readonly roles?: readonly string[];
  readonly error?: { readonly code: string };
}

let provider: TestProvider;
let gateway: TestGateway;
let scim: ScimClient;

before(async () => {
  provider = await startTestProvider({
    'kate-sub': { email: 'kate@example.com', groups: [] },
    'mallory-sub': { email: KELVIN_KATE, groups: [] },
    // Not provisioned over SCIM; the provider's groups claim still lists a group SCIM manages.
    'uma-sub': { email: 'uma@example.com', groups: ['dba', 'qa'] },
  });
  gateway = await startTestGateway({
    identity: {
      scim: { enabled: true },
      oidc: { issuer: provider.issuer, client_id: 'vigil', allow_insecure_http: true },
      roles: { admin: ['group:dba', 'user:alice'] },
    },
    connections: [
      { name: 'prod', type: 'llm-openai', upstream: 'http://127.0.0.1:9', allow: ['group:dba'] },
      {
        name: 'vault',
        type: 'llm-openai',
        upstream: 'http://127.0.0.1:9',
        requires_grant: true,
        allow: ['service:etl'],
      },
    ],
    approvals: { access_requests: { approvers: ['group:dba'] } },
  });
  scim = new ScimClient(gateway, await issueScimToken(gateway, 'idp'));
  await scim.createGroup('dba', [await scim.createUser('kate@example.com')]);
});

after(async () => {
  await gateway?.close();
  await provider?.close();
});

async function signIn(account: string): Promise<string> {
  provider.signInAs = account;
  const { response } = await new TestBrowser().follow(`${gateway.url}/auth/login`);
  assert.ok(response);
  const body = (await response.json()) as { token: string };
  assert.equal(response.status, 200, JSON.stringify(body));
  return body.token;
}

async function whoami(token: string): Promise<{ status: number; body: WhoAmI }> {
  const res = await fetch(`${gateway.url}/api/whoami`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as WhoAmI };
}

test('subjects fold only ASCII case', () => {
  assert.equal(subjectKey('Dana@Example.COM'), 'dana@example.com');
  assert.ok(sameSubject('Dana@Example.com', 'dana@example.com'));
  assert.ok(!sameSubject(KELVIN_KATE, 'kate@example.com'));
  assert.ok(!sameSubject('\u0130van', 'i\u0307van'), 'U+0130 lower-cases to i and a combining dot');
  assert.ok(!sameSubject('\u0130van', 'ivan'));
});

test("a subject spelled with the Kelvin sign does not get kate's SCIM groups or roles", async () => {
  const kate = await whoami(await signIn('kate-sub'));
  assert.deepEqual(kate.body.identity?.groups, ['dba'], 'the control: SCIM gives Kate dba');
  const mallory = await whoami(await signIn('mallory-sub'));
  assert.equal(mallory.status, 200, JSON.stringify(mallory.body));
  assert.equal(mallory.body.identity?.subject, KELVIN_KATE);
  assert.deepEqual(mallory.body.identity?.groups, []);
  assert.ok(!mallory.body.roles?.includes('admin'), JSON.stringify(mallory.body.roles));
});

test('a person SCIM does not provision holds no group SCIM manages, whatever the token claims', async () => {
  const uma = await whoami(await signIn('uma-sub'));
  assert.equal(uma.status, 200, JSON.stringify(uma.body));
  assert.deepEqual(uma.body.identity?.groups, ['qa'], 'dba is managed by SCIM; qa is not and stays');
  assert.ok(!uma.body.roles?.includes('admin'), 'nor the admin role the managed group gives');
});

test('deprovisioning a SCIM user named like a service account leaves the service account alone', async () => {
  const asked = await fetch(`${gateway.url}/api/access-requests`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.etl}`, 'content-type': 'application/json' },
    body: JSON.stringify({ connection: 'vault', duration: '1h', reason: 'nightly load' }),
  });
  const request = (await asked.json()) as { approval?: { id: string } };
  assert.equal(asked.status, 201, JSON.stringify(request));
  await scim.setActive(await scim.createUser('etl'), false);
  const service = await whoami(TOKENS.etl);
  assert.equal(service.status, 200, JSON.stringify(service.body));
  const pending = await gateway.store.approvals.getApproval(request.approval!.id);
  assert.equal(pending?.status, 'pending', "the service account's access request is not withdrawn");
});
