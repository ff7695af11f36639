// Attacker: an id_token kept from before an offboarding, traded in after the identity provider
// re-activates the account. SCIM re-activation gives back the right to sign in and nothing else:
// every credential the person held before the deactivation stays void (scim-provider-access-tokens
// covers the provider's access tokens). An id_token is such a credential: `POST /auth/exchange`
// turns it into a Vigil token for as long as the provider let it live (an hour at most providers),
// and the Vigil token it yields is new, so judging that one by its own issue time let the old
// id_token work again. Real parts: the gateway, the OpenID provider (oidc-provider), SCIM over HTTP,
// the admin API.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { issueScimToken, ScimClient } from '../scim/scim-client.js';
import { sessionEvents, startTestGateway, type TestGateway } from '../support/gateway.js';
import { startTestProvider, type TestProvider } from '../support/oidc-provider.js';
import { freshIdTokens } from './fresh-id-tokens.js';

let provider: TestProvider;
/** A new id_token for rita (fresh-id-tokens.ts). */
let idToken: () => Promise<string>;
let gateway: TestGateway;
let scim: ScimClient;

before(async () => {
  provider = await startTestProvider({ 'rita-sub': { email: 'rita@example.com', groups: ['ai-eng'] } });
  idToken = freshIdTokens(provider, 'rita-sub');
  gateway = await startTestGateway({
    identity: {
      scim: { enabled: true },
      oidc: { issuer: provider.issuer, client_id: 'vigil', allow_insecure_http: true },
    },
  });
  scim = new ScimClient(gateway, await issueScimToken(gateway, 'idp'));
});

after(async () => {
  await gateway?.close();
  await provider?.close();
});

/** `vigil login`'s last step, then the admin API with the Vigil token it answered (if any). */
async function exchangeAndUse(id: string): Promise<{ exchange: number; whoami?: number; code?: string }> {
  const res = await fetch(`${gateway.url}/auth/exchange`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id_token: id }),
  });
  const body = (await res.json()) as { token?: string; error?: { code: string } };
  if (!body.token) return { exchange: res.status, ...(body.error ? { code: body.error.code } : {}) };
  const who = await fetch(`${gateway.url}/api/whoami`, {
    headers: { authorization: `Bearer ${body.token}` },
  });
  const answer = (await who.json()) as { error?: { code: string } };
  return { exchange: res.status, whoami: who.status, ...(answer.error ? { code: answer.error.code } : {}) };
}

/** rita's sign-ins and refused sign-ins in the ledger, oldest first. */
async function signIns(): Promise<string[]> {
  return (await sessionEvents(gateway, 'auth'))
    .filter((e) => e.type === 'access.granted' || e.type === 'access.denied')
    .map((e) => `${e.type} ${e.identity.subject} ${String(e.payload?.code ?? '')}`.trim());
}

test('an id_token issued before a SCIM deactivation signs nobody in after re-activation', async () => {
  const rita = await scim.createUser('rita@example.com');
  // Three id_tokens from before the deactivation, each presented once.
  const control = await idToken();
  const kept = await idToken();
  const keptLonger = await idToken();
  assert.equal((await exchangeAndUse(control)).whoami, 200, 'the control: an id_token signs rita in');

  // iat has whole seconds: let the deactivation fall in a later second than the id_token.
  await new Promise((r) => setTimeout(r, 1100));
  await scim.setActive(rita, false);
  assert.deepEqual(
    await exchangeAndUse(kept),
    { exchange: 401, code: 'auth_revoked' },
    'deactivated: no token is handed out',
  );
  await scim.setActive(rita, true);
  // A Vigil token issued in the second of the deactivation is void by its own issue time: exchange
  // in a later second, as someone holding the id_token for the rest of its hour would.
  await new Promise((r) => setTimeout(r, 1100));

  const before = (await signIns()).length;
  assert.deepEqual(
    await exchangeAndUse(keptLonger),
    { exchange: 401, code: 'auth_revoked' },
    'an id_token from before the deactivation signs nobody in: no token is handed out',
  );
  assert.deepEqual(
    (await signIns()).slice(before),
    ['access.denied anonymous auth_revoked'],
    'the ledger holds a refused sign-in, not a granted one',
  );
  const fresh = await exchangeAndUse(await idToken());
  assert.deepEqual(fresh, { exchange: 200, whoami: 200 }, 'a fresh sign-in admits rita again');
});
