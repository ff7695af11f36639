// Signing out of the console kills the token its sign-in put in the cookie: that token was never
// shown to anyone, so a copy of the cookie (a shared machine, a copied browser profile) must stop
// working when the browser signs out, not when the token expires. A token the user pasted into the
// console is theirs (their CLI may hold it): signing out only takes it out of the browser. Real
// parts: the gateway and the OpenID provider (oidc-provider).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sessionEvents, startTestGateway, type TestGateway } from '../support/gateway.js';
import { startTestProvider, TestBrowser, type TestProvider } from '../support/oidc-provider.js';

let provider: TestProvider;
let gateway: TestGateway;

before(async () => {
  provider = await startTestProvider({ 'victor-sub': { email: 'victor@example.com', groups: [] } });
  gateway = await startTestGateway({
    identity: { oidc: { issuer: provider.issuer, client_id: 'vigil', allow_insecure_http: true } },
  });
});

after(async () => {
  await gateway?.close();
  await provider?.close();
});

/** A browser sign-in through the provider; `console`: begun by the console, the token set as its cookie. */
async function signIn(console: boolean): Promise<string> {
  provider.signInAs = 'victor-sub';
  const browser = new TestBrowser();
  const { url } = await browser.follow(
    `${gateway.url}/auth/login${console ? '?console=1' : ''}`,
    `${gateway.url}/auth/callback`,
  );
  const res = await browser.request(url);
  if (!console) return ((await res.json()) as { token: string }).token;
  const line = res.headers.getSetCookie().find((c) => c.startsWith('vigil_console='));
  assert.ok(line, `the console got its cookie (${res.status})`);
  return line.split(';')[0]!.slice('vigil_console='.length);
}

async function whoami(token: string): Promise<number> {
  const res = await fetch(`${gateway.url}/api/whoami`, { headers: { authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  return res.status;
}

async function signOut(token: string): Promise<{ signed_out: boolean; token_revoked: boolean | null }> {
  const res = await fetch(`${gateway.url}/auth/console/signout`, {
    method: 'POST',
    headers: { cookie: `vigil_console=${token}`, 'x-vigil-console': '1' },
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.getSetCookie().join(' '), /^vigil_console=; .*Max-Age=0/);
  return (await res.json()) as { signed_out: boolean; token_revoked: boolean | null };
}

test("signing out revokes the token the console's sign-in put in the cookie; a copy of it stops working", async () => {
  const token = await signIn(true);
  assert.equal(await whoami(token), 200);
  assert.deepEqual(await signOut(token), { signed_out: true, token_revoked: true });
  assert.equal(await whoami(token), 401, 'a copy of the cookie still worked after signing out');
  // The sign-out is recorded as such (a session the revoked token held ends as `token-revoked` too).
  const revoked = (await sessionEvents(gateway, 'auth')).filter(
    (e) => e.type === 'access.revoked' && e.payload?.reason === 'signed out of the console',
  );
  assert.deepEqual(
    revoked.map((e) => e.identity.subject),
    ['victor@example.com'],
  );
});

test('signing out after pasting a token leaves the token working: it is the CLI’s too', async () => {
  const token = await signIn(false);
  const pasted = await fetch(`${gateway.url}/auth/console/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-vigil-console': '1' },
    body: JSON.stringify({ token }),
  });
  assert.equal(pasted.status, 200);
  assert.deepEqual(await signOut(token), { signed_out: true, token_revoked: false });
  assert.equal(await whoami(token), 200);
});
