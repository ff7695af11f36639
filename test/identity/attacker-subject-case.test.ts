// Attacker: one person, two subjects that differ only in case. Many providers let a user register a
// second account whose verified address is their own mailbox spelled with other capitals
// (`Dana@Example.com` beside `dana@example.com`), and SCIM already treats the two as one person (its
// userName is case-insensitive, so both get Dana's SCIM groups). Vigil must treat them as one person
// too wherever that decides access: she may not approve her own request, may not vote twice on
// someone else's, and offboarding her (an admin's disable, SCIM's delete) must stop both spellings.
// Real parts: the gateway, the OpenID provider (oidc-provider) signing both accounts in, SCIM.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { issueScimToken, ScimClient } from '../scim/scim-client.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
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
let danaScimId: string;

before(async () => {
  provider = await startTestProvider({
    'dana-sub': { email: 'dana@example.com', groups: [] },
    // Dana's second account at the provider, verified through her own mailbox.
    'dana-alt-sub': { email: 'Dana@Example.com', groups: [] },
    'rick-sub': { email: 'rick@example.com', groups: [] },
  });
  gateway = await startTestGateway({
    identity: {
      scim: { enabled: true },
      oidc: { issuer: provider.issuer, client_id: 'vigil', allow_insecure_http: true },
    },
    connections: [
      {
        name: 'prod',
        type: 'llm-openai',
        upstream: 'http://127.0.0.1:9',
        requires_grant: true,
        allow: ['group:dba'],
      },
    ],
    approvals: { access_requests: { approvers: ['group:dba'], required: 2 } },
  });
  scim = new ScimClient(gateway, await issueScimToken(gateway, 'idp'));
  danaScimId = await scim.createUser('dana@example.com');
  const rick = await scim.createUser('rick@example.com');
  await scim.createGroup('dba', [danaScimId, rick]);
});

after(async () => {
  await gateway?.close();
  await provider?.close();
});

/** The browser sign-in through the gateway, as the provider account `account`. */
async function signIn(account: string): Promise<{ token: string; subject: string }> {
  provider.signInAs = account;
  const { response } = await new TestBrowser().follow(`${gateway.url}/auth/login`);
  assert.ok(response);
  const body = (await response.json()) as { token: string; subject: string; error?: { code: string } };
  assert.equal(response.status, 200, JSON.stringify(body));
  return body;
}

async function api(token: string, method: string, path: string, body?: object) {
  const res = await fetch(gateway.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as ApiBody };
}

async function requestAccess(token: string): Promise<string> {
  const asked = await api(token, 'POST', '/api/access-requests', {
    connection: 'prod',
    duration: '1h',
    reason: 'nightly maintenance',
  });
  assert.equal(asked.status, 201, JSON.stringify(asked.body));
  return asked.body.approval!.id;
}

test('the same person under a differently-cased subject cannot approve her own access request', async () => {
  const dana = await signIn('dana-sub');
  const alt = await signIn('dana-alt-sub');
  assert.equal(alt.subject, 'Dana@Example.com');
  const id = await requestAccess(dana.token);
  const vote = await api(alt.token, 'POST', `/api/approvals/${id}/approve`, { reason: 'looks fine' });
  assert.equal(vote.status, 403, JSON.stringify(vote.body));
  assert.equal(vote.body.error?.code, 'approval_self');
  const record = await gateway.store.approvals.getApproval(id);
  assert.equal(record?.votes.length, 0);
});

test("one reviewer cannot cast two of a request's required votes under two spellings", async () => {
  const rick = await signIn('rick-sub');
  const dana = await signIn('dana-sub');
  const alt = await signIn('dana-alt-sub');
  const id = await requestAccess(rick.token);
  const first = await api(dana.token, 'POST', `/api/approvals/${id}/approve`, { reason: 'ok' });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const second = await api(alt.token, 'POST', `/api/approvals/${id}/approve`, { reason: 'ok again' });
  assert.equal(second.status, 409, JSON.stringify(second.body));
  assert.equal(second.body.error?.code, 'approval_already_voted');
  const record = await gateway.store.approvals.getApproval(id);
  assert.equal(record?.status, 'pending');
  assert.equal(
    await gateway.store.approvals.listGrants({ subject: 'rick@example.com' }).then((g) => g.length),
    0,
  );
});

test('offboarding stops every spelling of the subject: an admin disable, then a SCIM delete', async () => {
  const alt = await signIn('dana-alt-sub');
  assert.equal((await api(alt.token, 'GET', '/api/whoami')).status, 200);

  const disabled = await api(TOKENS.alice, 'POST', '/api/users/dana@example.com/disable', {
    reason: 'left the company',
  });
  assert.equal(disabled.status, 200);
  const refused = await api(alt.token, 'GET', '/api/whoami');
  assert.equal(refused.status, 401, JSON.stringify(refused.body));
  assert.equal(refused.body.error?.code, 'auth_revoked');
  assert.equal((await api(TOKENS.alice, 'POST', '/api/users/dana@example.com/enable')).status, 200);
  assert.equal((await api(alt.token, 'GET', '/api/whoami')).status, 200);

  // The provider deprovisions her: the SCIM user is deleted and stays on the disabled list.
  await scim.ok('DELETE', `/Users/${danaScimId}`);
  const cut = await api(alt.token, 'GET', '/api/whoami');
  assert.equal(cut.status, 401, JSON.stringify(cut.body));
  assert.equal(cut.body.error?.code, 'auth_revoked');
  // Nor does signing in again under the other spelling give her a token.
  provider.signInAs = 'dana-alt-sub';
  const { response } = await new TestBrowser().follow(`${gateway.url}/auth/login`);
  assert.equal(response?.status, 401);
  assert.equal(((await response!.json()) as { error: { code: string } }).error.code, 'auth_revoked');
});
