// SAML sign-in against a real identity provider started here (test/support/saml-idp.ts: its own
// key and certificate, Responses signed with xml-crypto, not node-saml): the SP-initiated browser
// flow over HTTP (redirect with an AuthnRequest, auto-posted Response), IdP-initiated sign-in, a
// signed Response around a signed assertion, groups reaching connection rules and roles, the CLI's
// `vigil login --saml`, and the ledger and `vigil replay` showing each sign-in. The token is then
// used with the OpenAI SDK against the project's stand-in model, and with the admin API.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { inflateRawSync } from 'node:zlib';
import { Command } from 'commander';
import OpenAI from 'openai';
import { register } from '../../src/cli/commands/login.js';
import type { StoredEvent } from '../../src/core/events.js';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { loginWithSaml } from '../../src/identity/saml/saml-login.js';
import { runCli } from '../support/cli.js';
import { sessionEvents, startTestGateway, type TestGateway } from '../support/gateway.js';
import { TestSamlIdp } from '../support/saml-idp.js';
import { SamlCookieBrowser } from './saml-cookie-browser.js';

const SP_ENTITY_ID = 'https://vigil.example.com/saml';
const MODEL_KEY = 'sk-demo-model-key-for-saml-tests';
let idp: TestSamlIdp;
let model: DemoModel;
let gateway: TestGateway;

before(async () => {
  idp = await TestSamlIdp.start();
  model = await startDemoModel({ apiKey: MODEL_KEY });
  process.env.VIGIL_TEST_SAML_MODEL_KEY = MODEL_KEY;
  gateway = await startTestGateway({
    identity: {
      token_ttl: '15m',
      saml: {
        idp_metadata_url: `${idp.url}/metadata`,
        sp_entity_id: SP_ENTITY_ID,
        groups_attribute: 'memberOf',
        allow_idp_initiated: true,
        allow_insecure_http: true,
      },
      roles: { admin: ['group:staff'], auditor: [] },
    },
    connections: [
      {
        name: 'oa',
        type: 'llm-openai',
        upstream: model.url,
        credential: 'env:VIGIL_TEST_SAML_MODEL_KEY',
        allow: ['group:ai-eng'],
        deny: ['group:contractors'],
      },
    ],
  });
});

after(async () => {
  await gateway?.close();
  await idp?.close();
  await model?.close();
});

interface SignInBody {
  token: string;
  token_id: string;
  expires_at: string;
  subject: string;
  groups: string[];
  roles: string[];
}

async function browserSignIn(subject: string, groups: string[]): Promise<SignInBody> {
  idp.user = { subject, attributes: { memberOf: groups } };
  const { url, response } = await new SamlCookieBrowser().signIn(`${gateway.url}/auth/saml/login`);
  assert.equal(url, `${gateway.url}/auth/saml/acs`);
  assert.ok(response);
  assert.equal(response.status, 200, await response.clone().text());
  assert.equal(response.headers.get('cache-control'), 'no-store');
  return (await response.json()) as SignInBody;
}

const authEvents = (): Promise<StoredEvent[]> => sessionEvents(gateway, 'auth');

const acs = () => `${gateway.url}/auth/saml/acs`;

function postResponse(xml: string) {
  return fetch(acs(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ SAMLResponse: Buffer.from(xml).toString('base64') }).toString(),
  });
}

describe('service provider metadata', () => {
  test('names the entity id, the ACS URL (HTTP-POST) and asks for signed assertions', async () => {
    const res = await fetch(`${gateway.url}/auth/saml/metadata`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/samlmetadata\+xml/);
    const xml = await res.text();
    assert.match(xml, new RegExp(`entityID="${SP_ENTITY_ID}"`));
    assert.match(xml, /WantAssertionsSigned="true"/);
    assert.match(
      xml,
      new RegExp(`Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${acs()}"`),
    );
  });
});

describe('SP-initiated sign-in (HTTP-Redirect request, HTTP-POST response)', () => {
  test('the AuthnRequest goes to the provider by redirect, naming us and our ACS URL', async () => {
    const res = await fetch(`${gateway.url}/auth/saml/login`, { redirect: 'manual' });
    assert.equal(res.status, 302);
    const location = new URL(res.headers.get('location')!);
    assert.equal(`${location.origin}${location.pathname}`, `${idp.url}/sso`);
    const request = inflateRawSync(
      Buffer.from(location.searchParams.get('SAMLRequest')!, 'base64'),
    ).toString();
    assert.match(request, /<samlp:AuthnRequest /);
    assert.match(request, new RegExp(`AssertionConsumerServiceURL="${acs()}"`));
    assert.match(request, new RegExp(`Destination="${idp.url}/sso"`));
    assert.match(request, new RegExp(`<saml:Issuer[^>]*>${SP_ENTITY_ID}</saml:Issuer>`));
  });

  test('ends with a Vigil token that works with the OpenAI SDK and the admin API', async () => {
    const signedIn = await browserSignIn('alice@example.com', ['ai-eng', 'staff']);
    assert.equal(signedIn.subject, 'alice@example.com');
    assert.deepEqual(signedIn.groups, ['ai-eng', 'staff']);
    assert.deepEqual(signedIn.roles, ['admin', 'user']);
    const lifetime = Date.parse(signedIn.expires_at) - Date.now();
    assert.ok(lifetime > 14 * 60_000 && lifetime <= 15 * 60_000, `lifetime ${lifetime} ms`);
    assert.equal((await gateway.vigilTokens.verify(signedIn.token)).tokenId, signedIn.token_id);

    const client = new OpenAI({ baseURL: `${gateway.url}/c/oa/v1`, apiKey: signedIn.token, maxRetries: 0 });
    const completion = await client.chat.completions.create({
      model: 'demo',
      messages: [{ role: 'user', content: 'Say hello.' }],
    });
    assert.ok(completion.choices[0]?.message.content);

    const me = await fetch(`${gateway.url}/api/whoami`, {
      headers: { authorization: `Bearer ${signedIn.token}` },
    });
    assert.equal(me.status, 200);
    const body = (await me.json()) as { identity: { subject: string; groups: string[] }; roles: string[] };
    assert.equal(body.identity.subject, 'alice@example.com');
    assert.deepEqual(body.roles, ['admin', 'user']);

    const granted = (await authEvents()).find(
      (e) => e.type === 'access.granted' && e.payload?.token_id === signedIn.token_id,
    );
    assert.ok(granted, 'the sign-in is in the ledger');
    assert.equal(granted.identity.subject, 'alice@example.com');
    assert.equal(granted.payload?.via, 'saml');
    assert.equal(granted.payload?.flow, 'sp_initiated');
    assert.equal(granted.payload?.expires_at, signedIn.expires_at);
  });

  test('groups from the attribute reach allow and deny rules, and roles', async () => {
    const bob = await browserSignIn('bob@example.com', ['contractors']);
    assert.deepEqual(bob.roles, ['user']);
    const client = new OpenAI({ baseURL: `${gateway.url}/c/oa/v1`, apiKey: bob.token, maxRetries: 0 });
    await assert.rejects(
      client.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'hi' }] }),
      (err: { status?: number }) => err.status === 403,
    );
    const carol = await browserSignIn('carol@example.com', ['ai-eng']);
    const res = await fetch(`${gateway.url}/c/oa/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${carol.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(res.status, 200);
  });

  test('a signed Response around a signed assertion is accepted', async () => {
    idp.tweak = (o) => ({ ...o, signResponse: true });
    try {
      const dana = await browserSignIn('dana@example.com', ['ai-eng']);
      assert.equal(dana.subject, 'dana@example.com');
    } finally {
      idp.tweak = (o) => o;
    }
  });

  test('a browser that asks for HTML gets a page showing the token', async () => {
    idp.user = { subject: 'erin@example.com', attributes: {} };
    const browser = new SamlCookieBrowser();
    const login = await browser.fetch(`${gateway.url}/auth/saml/login`);
    const page = await (await browser.fetch(login.headers.get('location')!)).text();
    const fields = Object.fromEntries(
      [...page.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    const res = await browser.postForm(acs(), fields, 'text/html');
    assert.equal(res.status, 200);
    assert.match(await res.text(), /Signed in as erin@example\.com/);
  });
});

describe('IdP-initiated sign-in (allowed here)', () => {
  test('an unsolicited signed Response signs the user in', async () => {
    const res = await postResponse(
      idp.response({
        subject: 'frank@example.com',
        audience: SP_ENTITY_ID,
        recipient: acs(),
        destination: acs(),
      }),
    );
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as SignInBody;
    assert.equal(body.subject, 'frank@example.com');
    const granted = (await authEvents()).find((e) => e.payload?.token_id === body.token_id);
    assert.equal(granted?.payload?.flow, 'idp_initiated');
  });
});

describe('vigil login --saml', () => {
  test('the browser posts to the gateway, which hands the sign-in back to the CLI by a one-time code', async () => {
    idp.user = { subject: 'gina@example.com', attributes: { memberOf: 'ai-eng' } };
    let visit: Promise<unknown> | null = null;
    const result = await loginWithSaml({
      gatewayUrl: gateway.url,
      onPrompt: (prompt) => {
        assert.equal(prompt.kind, 'browser');
        if (prompt.kind === 'browser') visit = new SamlCookieBrowser().signIn(prompt.url);
      },
    });
    await visit;
    assert.equal(result.flow, 'saml');
    assert.equal(result.subject, 'gina@example.com');
    assert.deepEqual(result.groups, ['ai-eng']);
    assert.equal((await gateway.vigilTokens.verify(result.token)).subject, 'gina@example.com');
    const granted = (await authEvents()).find((e) => e.payload?.token_id === result.tokenId);
    assert.equal(granted?.payload?.cli, true);
  });

  test('the command picks SAML when the gateway offers only SAML, and stores the token', async () => {
    const xdg = mkdtempSync(join(tmpdir(), 'vigil-saml-login-'));
    const saved = { xdg: process.env.XDG_CONFIG_HOME, error: console.error, log: console.log };
    process.env.XDG_CONFIG_HOME = xdg;
    let visit: Promise<unknown> | null = null;
    console.error = (text: string) => {
      const url = /https?:\/\/\S+/.exec(text)?.[0];
      if (url) visit = new SamlCookieBrowser().signIn(url);
    };
    console.log = () => {};
    idp.user = { subject: 'hana@example.com', attributes: {} };
    try {
      const program = new Command('vigil').exitOverride();
      register(program, () => {});
      await program.parseAsync(['node', 'vigil', 'login', '--gateway', gateway.url]);
      await visit;
      const stored = JSON.parse(readFileSync(join(xdg, 'vigil', 'token'), 'utf8')) as {
        token: string;
        subject: string;
      };
      assert.equal(stored.subject, 'hana@example.com');
      assert.equal((await gateway.vigilTokens.verify(stored.token)).subject, 'hana@example.com');
    } finally {
      console.error = saved.error;
      console.log = saved.log;
      if (saved.xdg === undefined) delete process.env.XDG_CONFIG_HOME;
      else process.env.XDG_CONFIG_HOME = saved.xdg;
    }
  });

  test('a code is redeemed once, and only with its verifier', async () => {
    const res = await fetch(`${gateway.url}/auth/saml/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'made-up', code_verifier: 'x'.repeat(43) }),
    });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('x-vigil-error'), 'auth_invalid');
    const login = await fetch(
      `${gateway.url}/auth/saml/login?redirect_uri=${encodeURIComponent('https://evil.example/cb')}&code_challenge=${'a'.repeat(43)}`,
      { redirect: 'manual' },
    );
    assert.equal(login.status, 400, 'only a loopback listener may receive a sign-in');
  });
});

describe('vigil replay', () => {
  test('shows the SAML sign-ins of the auth session', async () => {
    const granted = (await authEvents()).find(
      (e) => e.type === 'access.granted' && e.payload?.via === 'saml',
    );
    assert.ok(granted);
    const run = await runCli(['--data', gateway.dataDir, 'replay', granted.sessionId, '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /access\.granted/);
    assert.match(run.stdout, /"via":\s*"saml"/);
  });
});
