// Attacker: a person Vigil names by e-mail (`subject_claim: email`, the default) signs in without
// the e-mail claim, by leaving the `email` scope out of a flow they run themselves against Vigil's
// public client. Vigil used to take the provider's `sub` as the subject instead: another name, in
// another namespace, that no `vigil users disable`, SCIM deactivation or `user:` rule names, so an
// offboarded person signed in again with their groups (and the connections those allow). A token
// without the configured claim now names nobody. Real parts: the gateway, the OpenID provider
// (oidc-provider), the admin API.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { sessionEvents, startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { startTestProvider, TestBrowser, type TestProvider } from '../support/oidc-provider.js';

let provider: TestProvider;
let gateway: TestGateway;

before(async () => {
  provider = await startTestProvider({ 'dana-sub': { email: 'dana@example.com', groups: ['ai-eng'] } });
  gateway = await startTestGateway({
    identity: { oidc: { issuer: provider.issuer, client_id: 'vigil', allow_insecure_http: true } },
  });
});

after(async () => {
  await gateway?.close();
  await provider?.close();
});

const issued = new Set<string>();

/**
 * A new id_token for Vigil's public client through the authorization-code flow with PKCE, asking
 * for the scopes `scope` names: what anyone can do with the client id `GET /auth/config` publishes.
 * An id_token signs in once, and this provider's (no jti, no nonce) are the same bytes for two
 * sign-ins within one second, so a new one is asked for until it differs (fresh-id-tokens.ts).
 */
async function idTokenWithScope(scope: string): Promise<string> {
  for (;;) {
    const id = await signInWithScope(scope);
    if (!issued.has(id)) {
      issued.add(id);
      return id;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function signInWithScope(scope: string): Promise<string> {
  provider.signInAs = 'dana-sub';
  const verifier = randomBytes(32).toString('base64url');
  const redirect = 'http://127.0.0.1/callback';
  const auth = new URL('/auth', provider.issuer);
  auth.search = new URLSearchParams({
    client_id: 'vigil',
    response_type: 'code',
    redirect_uri: redirect,
    scope,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state: 'attacker',
  }).toString();
  const browser = new TestBrowser();
  const landed = await browser.follow(auth.toString(), redirect);
  const code = new URL(landed.url).searchParams.get('code');
  assert.ok(code, `no authorization code: ${landed.url}`);
  const res = await browser.request(new URL('/token', provider.issuer).toString(), {
    method: 'POST',
    form: {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirect,
      client_id: 'vigil',
      code_verifier: verifier,
    },
  });
  const body = (await res.json()) as { id_token?: string };
  assert.ok(body.id_token, 'the provider issued an id_token');
  return body.id_token;
}

async function exchange(idToken: string): Promise<{ status: number; subject?: string; code?: string }> {
  const res = await fetch(`${gateway.url}/auth/exchange`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id_token: idToken }),
  });
  const body = (await res.json()) as { subject?: string; error?: { code: string } };
  return {
    status: res.status,
    ...(body.subject ? { subject: body.subject } : {}),
    ...(body.error ? { code: body.error.code } : {}),
  };
}

test('an id_token without the e-mail claim signs nobody in, so a disabled person cannot come back as their sub', async () => {
  assert.deepEqual(
    await exchange(await idTokenWithScope('openid email groups')),
    { status: 200, subject: 'dana@example.com' },
    'the control: with the e-mail claim dana signs in as herself',
  );
  const disabled = await fetch(`${gateway.url}/api/users/${encodeURIComponent('dana@example.com')}/disable`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'left the company' }),
  });
  assert.equal(disabled.status, 200);
  assert.deepEqual(
    await exchange(await idTokenWithScope('openid email groups')),
    { status: 401, code: 'auth_revoked' },
    'disabled: the e-mail signs nobody in',
  );

  const before = (await sessionEvents(gateway, 'auth')).length;
  const withheld = await exchange(await idTokenWithScope('openid groups'));
  assert.deepEqual(
    withheld,
    { status: 401, code: 'auth_invalid' },
    'the same person without the e-mail claim is refused, not signed in as dana-sub',
  );
  const recorded = (await sessionEvents(gateway, 'auth')).slice(before);
  assert.deepEqual(
    recorded.map((e) => [e.type, e.identity.subject]),
    [['access.denied', 'anonymous']],
    'the refusal is recorded and no sign-in is',
  );
  assert.match(String(recorded[0]!.payload?.message), /email/);
});
