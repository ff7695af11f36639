// Attacker: login CSRF on the browser sign-in. The attacker starts a sign-in in their own browser,
// signs in at the provider as themselves and stops before following the redirect back: the callback
// URL (code and state) is a working sign-in as the attacker. Sent to a victim (a link, an image, a
// navigation from the attacker's page), it would sign the victim's browser in as the attacker, and
// the console's marker cookie, which any page can plant by sending the victim to
// /auth/login?console=1, turns that into the console's session cookie: the victim then works in the
// console (reads, requests access, decides) as the attacker. The `state` must belong to the browser
// that began the sign-in. Real parts: the gateway and the OpenID provider (oidc-provider).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { StoredEvent } from '../../src/core/events.js';
import { sessionEvents, startTestGateway, type TestGateway } from '../support/gateway.js';
import { startTestProvider, TestBrowser, type TestProvider } from '../support/oidc-provider.js';

let provider: TestProvider;
let gateway: TestGateway;

before(async () => {
  provider = await startTestProvider({
    'mallory-sub': { email: 'mallory@example.com', groups: [] },
    'victor-sub': { email: 'victor@example.com', groups: ['security'] },
  });
  gateway = await startTestGateway({
    identity: { oidc: { issuer: provider.issuer, client_id: 'vigil', allow_insecure_http: true } },
  });
});

after(async () => {
  await gateway?.close();
  await provider?.close();
});

/** The attacker's own sign-in, stopped at the redirect back to the gateway: a working callback URL. */
async function attackersCallback(): Promise<string> {
  provider.signInAs = 'mallory-sub';
  const { url } = await new TestBrowser().follow(
    `${gateway.url}/auth/login?console=1`,
    `${gateway.url}/auth/callback`,
  );
  assert.ok(url.startsWith(`${gateway.url}/auth/callback?`), url);
  return url;
}

async function deniedSignIns(): Promise<StoredEvent[]> {
  return (await sessionEvents(gateway, 'auth')).filter((e) => e.type === 'access.denied');
}

test("a victim's console browser opening the attacker's callback is not signed in as the attacker", async () => {
  const callback = await attackersCallback();
  const victim = new TestBrowser();
  // The attacker's page sends the victim to the console sign-in (which plants the marker cookie);
  // the victim is not signed in at the provider, so the flow stops there.
  await victim.follow(`${gateway.url}/auth/login?console=1`, provider.issuer);
  const before = (await deniedSignIns()).length;
  const res = await victim.request(callback);
  const cookies = res.headers.getSetCookie();
  const body = await res.text();
  assert.equal(
    cookies.some((c) => c.startsWith('vigil_console=') && !c.startsWith('vigil_console=;')),
    false,
    `the victim got a console session as the attacker: ${cookies.join(' | ')}`,
  );
  assert.equal(res.status, 401, body);
  assert.equal(res.headers.get('x-vigil-error'), 'auth_invalid');
  const denied = await deniedSignIns();
  assert.equal(denied.length, before + 1, 'the refused sign-in is recorded as access.denied');
  assert.equal(denied.at(-1)?.payload?.code, 'auth_invalid');
});

test("a browser that never began a sign-in is not handed the attacker's token either", async () => {
  const callback = await attackersCallback();
  const res = await new TestBrowser().request(callback);
  const body = await res.text();
  assert.equal(res.status, 401, body);
  assert.doesNotMatch(body, /"token"/);
});

test('the browser that began the sign-in still completes it', async () => {
  provider.signInAs = 'victor-sub';
  const browser = new TestBrowser();
  const { url } = await browser.follow(`${gateway.url}/auth/login`, `${gateway.url}/auth/callback`);
  const res = await browser.request(url);
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal(((await res.json()) as { subject: string }).subject, 'victor@example.com');
});
