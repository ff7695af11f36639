// Attacker: login CSRF by cookie tossing. The browser sign-in is bound to the browser that began it
// by a secret in a cookie (attacker-login-csrf.test.ts). An attacker who controls a sibling
// subdomain of an https gateway (same site) can set a cookie for the parent domain: they begin a
// sign-in as themselves, plant its secret in the victim's browser under the cookie's name, and send
// the victim to their callback URL; the gateway would read the planted secret and sign the victim's
// console in as the attacker. On https the secret lives in `__Host-vigil_sign_in_browser`, which only
// the gateway's own host can set, and the unprefixed name is never read. Real parts: the gateway and
// the OpenID provider (oidc-provider); the callback's code is one the provider never issued, so what
// tells the outcome is whether the gateway took the browser for the one that began the sign-in.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startTestProvider, type TestProvider } from '../support/oidc-provider.js';

let provider: TestProvider;
let gateway: TestGateway;

before(async () => {
  provider = await startTestProvider({ 'mallory-sub': { email: 'mallory@example.com', groups: [] } });
  gateway = await startTestGateway({
    identity: {
      public_url: 'https://vigil.test',
      oidc: { issuer: provider.issuer, client_id: 'vigil', allow_insecure_http: true },
    },
  });
});

after(async () => {
  await gateway?.close();
  await provider?.close();
});

/** The attacker begins a sign-in: its state, and the secret its browser was given. */
async function begin() {
  const res = await fetch(`${gateway.url}/auth/login?console=1`, { redirect: 'manual' });
  assert.equal(res.status, 302);
  const state = new URL(res.headers.get('location')!).searchParams.get('state')!;
  const line = res.headers.getSetCookie().find((c) => c.includes('vigil_sign_in_browser='))!;
  const [pair, ...attributes] = line.split(';').map((p) => p.trim());
  const [name, secret] = pair!.split('=') as [string, string];
  return { state, name, secret, attributes };
}

async function callback(state: string, cookie: string) {
  const res = await fetch(
    `${gateway.url}/auth/callback?code=never-issued&state=${encodeURIComponent(state)}`,
    {
      headers: { cookie: `vigil_console_sign_in=1; ${cookie}`, accept: 'application/json' },
      redirect: 'manual',
    },
  );
  return { status: res.status, body: await res.text() };
}

const OTHER_BROWSER = /begun in another browser/;

test('on https the sign-in secret is a __Host- cookie: Secure, Path=/, no Domain', async () => {
  const { name, attributes } = await begin();
  assert.equal(name, '__Host-vigil_sign_in_browser');
  assert.ok(attributes.includes('Secure'), attributes.join('; '));
  assert.ok(attributes.includes('Path=/'), attributes.join('; '));
  assert.ok(!attributes.some((a) => /^domain=/i.test(a)), attributes.join('; '));
});

test("a planted unprefixed secret does not make the victim's browser the one that began the sign-in", async () => {
  const { state, secret } = await begin();
  // The sibling subdomain's cookie (Domain=parent, a narrower Path so it is sent first).
  const planted = await callback(state, `vigil_sign_in_browser=${secret}`);
  assert.equal(planted.status, 401, planted.body);
  assert.match(planted.body, OTHER_BROWSER, 'the planted secret is not read');
  // The same secret in the cookie only this host can set is the browser that began it: the gateway
  // goes on to the provider, which refuses the made-up code.
  const own = await callback(state, `__Host-vigil_sign_in_browser=${secret}`);
  assert.equal(own.status, 401, own.body);
  assert.doesNotMatch(own.body, OTHER_BROWSER, own.body);
});
