// Attacker: SAML login CSRF and Response injection. Mallory begins a sign-in in her own browser,
// signs in at the provider as herself and keeps the auto-posting form her provider answers with,
// then makes Victor's browser post it to the ACS (a page of hers that submits it on load): until
// 7 December Victor's browser was signed in as Mallory (and his web console, his `vigil login
// --saml`, would then work as her, with what he types recorded in her sessions). The same held for
// a Response stolen from someone (a browser history, a proxy log) and posted from another browser
// before its owner used it. The ACS now signs in only the browser that began the request the
// Response answers: /auth/saml/login leaves a secret in a cookie, and the AuthnRequest's ID names
// its hash. Real parts: the gateway over HTTP, the SAML test identity provider (its own key, signed
// assertions), browsers that keep cookies, the ledger.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sessionEvents, startTestGateway, type TestGateway } from '../support/gateway.js';
import { TestSamlIdp } from '../support/saml-idp.js';
import { SamlCookieBrowser } from './saml-cookie-browser.js';

const SP = 'https://vigil.example.com/saml';
const PUBLIC = 'https://vigil.test';
let idp: TestSamlIdp;
let plain: TestGateway; // http: the cookie is vigil_saml_browser
let tls: TestGateway; // public URL https: the cookie is __Host-vigil_saml_browser

const saml = { idp_metadata_url: '', sp_entity_id: SP, allow_insecure_http: true };

before(async () => {
  idp = await TestSamlIdp.start();
  saml.idp_metadata_url = `${idp.url}/metadata`;
  plain = await startTestGateway({ identity: { saml } });
  tls = await startTestGateway({ identity: { public_url: PUBLIC, saml } });
});

after(async () => {
  await plain?.close();
  await tls?.close();
  await idp?.close();
});

/** Signs in at the provider in `browser` and stops before the ACS: the form the provider's page posts. */
async function answeredForm(gateway: TestGateway, browser: SamlCookieBrowser, subject: string) {
  idp.user = { subject, attributes: { groups: ['staff'] } };
  // On the https gateway the provider posts to PUBLIC (a name this test does not serve): stop there.
  const stopAt = gateway === tls ? `${PUBLIC}/auth/saml/acs` : `${gateway.url}/auth/saml/acs`;
  const { form } = await browser.signIn(`${gateway.url}/auth/saml/login`, stopAt);
  assert.ok(form?.SAMLResponse, 'the provider answered with a Response');
  return form;
}

async function refusedAs(gateway: TestGateway, res: Response, code: string): Promise<void> {
  const body = (await res.json()) as { token?: string; error?: { code: string } };
  assert.equal(res.status, 401, JSON.stringify(body));
  assert.equal(body.token, undefined, 'no token is handed out');
  assert.equal(body.error?.code, code);
  const denied = (await sessionEvents(gateway, 'auth')).filter(
    (e) => e.type === 'access.denied' && e.payload?.code === code,
  );
  assert.ok(denied.length > 0, `the ${code} refusal is in the ledger`);
}

async function signedInAs(res: Response): Promise<string> {
  const body = (await res.json()) as { subject?: string; error?: unknown };
  assert.equal(res.status, 200, JSON.stringify(body));
  return body.subject!;
}

describe('an http gateway', () => {
  test("mallory's Response posted from victor's browser (which began a sign-in of his own) signs nobody in", async () => {
    const mallory = new SamlCookieBrowser();
    const victor = new SamlCookieBrowser();
    const planted = await answeredForm(plain, mallory, 'mallory@example.com');
    await answeredForm(plain, victor, 'victor@example.com'); // victor's own sign-in, under way
    await refusedAs(
      plain,
      await victor.postForm(`${plain.url}/auth/saml/acs`, planted),
      'saml_other_browser',
    );
    // Refused before anything was marked: mallory's own browser still completes her sign-in.
    assert.equal(
      await signedInAs(await mallory.postForm(`${plain.url}/auth/saml/acs`, planted)),
      'mallory@example.com',
    );
  });

  test('posted from a browser that began no sign-in (no cookie at all): refused', async () => {
    const planted = await answeredForm(plain, new SamlCookieBrowser(), 'mallory@example.com');
    await refusedAs(
      plain,
      await new SamlCookieBrowser().postForm(`${plain.url}/auth/saml/acs`, planted),
      'saml_other_browser',
    );
  });

  test("a Response stolen before its owner used it is refused in the thief's browser", async () => {
    const owner = new SamlCookieBrowser();
    const stolen = await answeredForm(plain, owner, 'victor@example.com');
    const thief = new SamlCookieBrowser();
    await answeredForm(plain, thief, 'mallory@example.com'); // the thief holds a cookie of her own
    await refusedAs(plain, await thief.postForm(`${plain.url}/auth/saml/acs`, stolen), 'saml_other_browser');
    assert.equal(
      await signedInAs(await owner.postForm(`${plain.url}/auth/saml/acs`, stolen)),
      'victor@example.com',
    );
  });

  test('the cookie: HttpOnly, only under /auth/saml/, ten minutes, no SameSite on plain http', async () => {
    const res = await fetch(`${plain.url}/auth/saml/login`, { redirect: 'manual' });
    const [line] = res.headers.getSetCookie();
    assert.match(line ?? '', /^vigil_saml_browser=[A-Za-z0-9_-]{43}; /);
    assert.match(line!, /; Path=\/auth\/saml\/(;|$)/);
    assert.match(line!, /; HttpOnly(;|$)/);
    assert.match(line!, /; Max-Age=600(;|$)/);
    assert.doesNotMatch(line!, /SameSite|Secure/);
  });
});

describe('an https gateway', () => {
  test('the cookie is __Host- prefixed, Secure and SameSite=None (the Response is a cross-site POST)', async () => {
    const res = await fetch(`${tls.url}/auth/saml/login`, { redirect: 'manual' });
    const [line] = res.headers.getSetCookie();
    assert.match(line ?? '', /^__Host-vigil_saml_browser=[A-Za-z0-9_-]{43}; Path=\/; /);
    assert.match(line!, /; HttpOnly; SameSite=None; Secure; Max-Age=600$/);
  });

  test("the right browser signs in; mallory's Response in victor's browser does not", async () => {
    const mallory = new SamlCookieBrowser();
    const victor = new SamlCookieBrowser();
    const planted = await answeredForm(tls, mallory, 'mallory@example.com');
    await answeredForm(tls, victor, 'victor@example.com');
    await refusedAs(tls, await victor.postForm(`${tls.url}/auth/saml/acs`, planted), 'saml_other_browser');
    assert.equal(
      await signedInAs(await mallory.postForm(`${tls.url}/auth/saml/acs`, planted)),
      'mallory@example.com',
    );
  });

  test('a tossed unprefixed cookie (a sibling subdomain can set one) is never read', async () => {
    const mallory = new SamlCookieBrowser();
    const planted = await answeredForm(tls, mallory, 'mallory@example.com');
    const secret = /__Host-vigil_saml_browser=([^;]+)/.exec(mallory.cookie)![1]!;
    const victor = new SamlCookieBrowser();
    victor.plant('vigil_saml_browser', secret);
    await refusedAs(tls, await victor.postForm(`${tls.url}/auth/saml/acs`, planted), 'saml_other_browser');
  });
});
