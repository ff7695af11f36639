// Attacker: racing the loopback callback of `vigil login`. While the CLI waits on
// http://127.0.0.1:PORT/callback, anything on the machine can reach that port first: another local
// process, or a web page open in the user's browser (an <img> pointing there needs no permission,
// and ephemeral ports are few enough to scan). Until 7 December the listener took the first
// request to /callback (the OIDC flow any request at all, the SAML flow any with a `code`), so one
// request ended the wait and every sign-in failed: with a made-up code, with Mallory's own valid
// SAML code (which our verifier cannot redeem), with a made-up OIDC state. Now only a callback
// carrying the sign-in's secret `state`, addressed to 127.0.0.1:PORT itself (not a name rebound to
// it), counts, and only once. Real parts: the oidc-provider package, the SAML test identity
// provider, the gateway over HTTP, browsers that keep cookies.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { callbackState, carriesState, listenForCallback } from '../../src/identity/loopback-callback.js';
import { loginToGateway } from '../../src/identity/oidc-login.js';
import { loginWithSaml } from '../../src/identity/saml/saml-login.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startTestProvider, TestBrowser, type TestProvider } from '../support/oidc-provider.js';
import { TestSamlIdp } from '../support/saml-idp.js';
import { SamlCookieBrowser } from './saml-cookie-browser.js';

let idp: TestSamlIdp;
let provider: TestProvider;
let samlGateway: TestGateway;
let oidcGateway: TestGateway;

before(async () => {
  idp = await TestSamlIdp.start();
  provider = await startTestProvider({
    'uma-sub': { email: 'uma@example.com', groups: ['staff'] },
  });
  samlGateway = await startTestGateway({
    identity: {
      saml: {
        idp_metadata_url: `${idp.url}/metadata`,
        sp_entity_id: 'https://vigil.example.com/saml',
        allow_insecure_http: true,
      },
    },
  });
  oidcGateway = await startTestGateway({
    identity: { oidc: { issuer: provider.issuer, client_id: 'vigil', allow_insecure_http: true } },
  });
});

after(async () => {
  await samlGateway?.close();
  await oidcGateway?.close();
  await idp?.close();
  await provider?.close();
});

/** What a web page or local process gets back for a request to the listener, sent first. */
async function raced(url: string, host?: string): Promise<number> {
  if (host === undefined) {
    const res = await fetch(url, { redirect: 'manual' });
    await res.arrayBuffer();
    return res.status;
  }
  // fetch will not send another Host: a raw request, as a page on a rebound name sends it.
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
    req.end();
  });
}

/** A valid CLI code of Mallory's own: she signs in with her challenge, and stops at the hand-back. */
async function mallorysSamlCode(): Promise<string> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  idp.user = { subject: 'mallory@example.com', attributes: {} };
  const start = new URL(`${samlGateway.url}/auth/saml/login`);
  start.searchParams.set('redirect_uri', 'http://127.0.0.1:9/callback');
  start.searchParams.set('code_challenge', challenge);
  const { url } = await new SamlCookieBrowser().signIn(start.toString(), 'http://127.0.0.1:9/');
  const code = new URL(url).searchParams.get('code');
  assert.ok(code, `mallory's sign-in was handed back with a code (${url})`);
  return code;
}

describe('vigil login --saml', () => {
  test("a made-up code, or mallory's own, sent to the listener first does not end the sign-in", async () => {
    const planted = await mallorysSamlCode();
    let visit: Promise<unknown> | null = null;
    const statuses: number[] = [];
    const result = await loginWithSaml({
      gatewayUrl: samlGateway.url,
      timeoutMs: 30_000,
      onPrompt: async (prompt) => {
        assert.equal(prompt.kind, 'browser');
        if (prompt.kind !== 'browser') return;
        const listener = new URL(new URL(prompt.url).searchParams.get('redirect_uri')!);
        const callback = `${listener.origin}${listener.pathname}`;
        // What a page (or process) can send: it knows the port, not the state in the URL opened.
        statuses.push(await raced(`${callback}?code=made-up`));
        statuses.push(await raced(`${callback}?code=${encodeURIComponent(planted)}`));
        statuses.push(await raced(`${callback}?code=made-up&state=guessed`));
        idp.user = { subject: 'uma@example.com', attributes: {} };
        visit = new SamlCookieBrowser().signIn(prompt.url);
      },
    });
    await visit;
    assert.deepEqual(statuses, [404, 404, 404], 'none of the early requests was taken');
    assert.equal(result.subject, 'uma@example.com', 'the sign-in the user began completed');
    assert.equal((await samlGateway.vigilTokens.verify(result.token)).subject, 'uma@example.com');
  });
});

describe('vigil login --no-device (OIDC)', () => {
  test('a forged callback sent to the listener first does not end the sign-in', async () => {
    provider.signInAs = 'uma-sub';
    let visit: Promise<unknown> | null = null;
    const statuses: number[] = [];
    const result = await loginToGateway({
      gatewayUrl: oidcGateway.url,
      preferDevice: false,
      loopbackTimeoutMs: 30_000,
      onPrompt: async (prompt) => {
        assert.equal(prompt.kind, 'browser');
        if (prompt.kind !== 'browser') return;
        const callback = new URL(prompt.url).searchParams.get('redirect_uri')!;
        statuses.push(await raced(callback));
        statuses.push(await raced(`${callback}?code=made-up&state=guessed`));
        statuses.push(await raced(`${callback}?error=access_denied`));
        visit = new TestBrowser().follow(prompt.url);
      },
    });
    await visit;
    assert.deepEqual(statuses, [404, 404, 404], 'none of the early requests was taken');
    assert.equal(result.flow, 'loopback');
    assert.equal(result.subject, 'uma@example.com');
  });
});

describe('the loopback listener', () => {
  test('takes one callback with the state, addressed to 127.0.0.1:PORT, and nothing after it', async () => {
    const state = callbackState();
    const listener = await listenForCallback((url) => carriesState(url, state), 10_000);
    try {
      const callback = new URL(listener.redirectUri);
      assert.equal(callback.hostname, '127.0.0.1', 'it listens on the loopback address only');
      const good = `${listener.redirectUri}?code=c&state=${state}`;
      // A page whose own name was rebound to 127.0.0.1 sends that name as Host.
      assert.equal(await raced(good, `rebound.example:${callback.port}`), 404);
      assert.equal(await raced(`${listener.redirectUri}?code=c&state=${state}&state=${state}`), 404);
      assert.equal(await raced(good), 200);
      assert.equal((await listener.arrived).searchParams.get('code'), 'c');
      assert.equal(await raced(good), 404, 'a second callback, even the same one, is not taken');
    } finally {
      listener.close();
    }
  });
});
