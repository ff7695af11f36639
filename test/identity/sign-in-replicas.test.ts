// Two gateway replicas behind a load balancer, sharing one data directory (its keys) and one store,
// with no sticky routing: a sign-in begun on one replica completes on the other, with a real OpenID
// provider (oidc-provider) and the SAML identity provider helper. Each step is used once across
// both replicas, and a forged, tampered or misused state, RelayState or code is refused with the
// codes a single gateway answers.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { inflateRawSync } from 'node:zlib';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startTestProvider, TestBrowser, type TestProvider } from '../support/oidc-provider.js';
import { parseAutoPostForm, TestSamlIdp } from '../support/saml-idp.js';
import { SamlCookieBrowser } from './saml-cookie-browser.js';

const SP_ENTITY_ID = 'https://vigil.example.com/saml';

/** A load balancer in miniature: forwards every request to whichever replica `target` names. */
interface Balancer {
  readonly url: string;
  target: 'A' | 'B';
  /** Which replica answered each path, in order. */
  readonly served: Array<{ replica: 'A' | 'B'; path: string }>;
  close(): Promise<void>;
}

let balancer: Balancer;
let replicas: Record<'A' | 'B', TestGateway>;
let provider: TestProvider;
let idp: TestSamlIdp;

async function startBalancer(): Promise<Balancer> {
  let server: Server | null = null;
  const state = {
    url: '',
    target: 'A' as 'A' | 'B',
    served: [] as Array<{ replica: 'A' | 'B'; path: string }>,
    close: () =>
      new Promise<void>((resolve) => {
        server!.close(() => resolve());
        server!.closeAllConnections();
      }),
  };
  server = createServer((req, res) => {
    const replica = state.target;
    state.served.push({ replica, path: (req.url ?? '/').split('?')[0]! });
    const upstream = new URL(replicas[replica].url);
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

before(async () => {
  balancer = await startBalancer();
  provider = await startTestProvider({ 'alice-sub': { email: 'alice@example.com', groups: ['ai-eng'] } });
  idp = await TestSamlIdp.start();
  const settings = {
    identity: {
      public_url: balancer.url,
      token_ttl: '15m',
      oidc: { issuer: provider.issuer, client_id: 'vigil', allow_insecure_http: true },
      saml: {
        idp_metadata_url: `${idp.url}/metadata`,
        sp_entity_id: SP_ENTITY_ID,
        groups_attribute: 'memberOf',
        allow_insecure_http: true,
      },
    },
  };
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-replicas-'));
  const a = await startTestGateway(settings, dataDir);
  const b = await startTestGateway(settings, dataDir).catch(async (err) => {
    await a.close();
    throw err;
  });
  replicas = { A: a, B: b };
});

after(async () => {
  await replicas?.B.close();
  await replicas?.A.close();
  await balancer?.close();
  await provider?.close();
  await idp?.close();
});

/** Routes the next requests to `replica`. */
function via(replica: 'A' | 'B'): void {
  balancer.target = replica;
}

function lastServed(path: string): 'A' | 'B' | undefined {
  return balancer.served.findLast((s) => s.path === path)?.replica;
}

async function refusal(res: Response): Promise<{ status: number; code: string | null; message: string }> {
  const body = (await res.json()) as { error?: { message?: string } };
  return { status: res.status, code: res.headers.get('x-vigil-error'), message: body.error?.message ?? '' };
}

/** Changes one character of a sealed value (never into the same one). */
function tamper(sealed: string, at = Math.floor(sealed.length / 2)): string {
  return sealed.slice(0, at) + (sealed[at] === 'A' ? 'B' : 'A') + sealed.slice(at + 1);
}

describe('OIDC browser sign-in', () => {
  /** Starts a sign-in on `replica`; the provider's redirect back, not yet followed. */
  async function begin(replica: 'A' | 'B'): Promise<{ browser: TestBrowser; callback: URL }> {
    via(replica);
    const browser = new TestBrowser();
    const { url } = await browser.follow(`${balancer.url}/auth/login`, `${balancer.url}/auth/callback`);
    assert.equal(lastServed('/auth/login'), replica);
    return { browser, callback: new URL(url) };
  }

  test('begun on replica A completes on replica B; the same callback replayed on A is refused', async () => {
    const { browser, callback } = await begin('A');
    via('B');
    const res = await browser.request(callback.toString());
    assert.equal(lastServed('/auth/callback'), 'B');
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as { token: string; subject: string };
    assert.equal(body.subject, 'alice@example.com');
    assert.equal((await replicas.A.vigilTokens.verify(body.token)).subject, 'alice@example.com');

    via('A');
    const replayed = await refusal(await browser.request(callback.toString()));
    assert.equal(lastServed('/auth/callback'), 'A');
    assert.deepEqual([replayed.status, replayed.code], [401, 'auth_invalid']);
    assert.match(replayed.message, /unknown, already used or expired/);
    via('B');
    const again = await refusal(await browser.request(callback.toString()));
    assert.deepEqual([again.status, again.code], [401, 'auth_invalid'], 'nor on B again');
  });

  test('a forged, tampered or misused state is refused as unknown, and does not burn the real one', async () => {
    const { browser, callback } = await begin('A');
    const state = callback.searchParams.get('state')!;
    assert.ok(state.length > 100, 'the state carries the sealed checks');
    const code = callback.searchParams.get('code')!;
    const cliRelay = await cliRelayState('A');
    const forgeries = [
      tamper(state),
      tamper(state, 3),
      state.slice(0, -4),
      randomBytes(state.length).toString('base64url').slice(0, state.length),
      cliRelay, // sealed by Vigil, but for another purpose
      '',
    ];
    via('B');
    for (const forged of forgeries) {
      const url = new URL(callback);
      url.searchParams.set('state', forged);
      const refused = await refusal(await browser.request(url.toString()));
      assert.deepEqual([refused.status, refused.code], [401, 'auth_invalid'], forged);
      assert.match(refused.message, /unknown, already used or expired/);
    }
    // The code was never sent to the provider with a forged state: the real one still completes.
    const res = await browser.request(callback.toString());
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(callback.searchParams.get('code'), code);
  });
});

/** One browser for the SAML steps: the ACS signs in only the browser that began the request. */
const browser = new SamlCookieBrowser();

/** A Response the provider answered to an AuthnRequest started on `replica`: the form to post. */
async function samlAnswer(
  replica: 'A' | 'B',
  query = '',
): Promise<{ form: Record<string, string>; id: string }> {
  via(replica);
  const login = await browser.fetch(`${balancer.url}/auth/saml/login${query}`);
  assert.equal(login.status, 302, await login.clone().text());
  assert.equal(lastServed('/auth/saml/login'), replica);
  const location = login.headers.get('location')!;
  const request = inflateRawSync(
    Buffer.from(new URL(location).searchParams.get('SAMLRequest')!, 'base64'),
  ).toString();
  const id = /\bID="([^"]+)"/.exec(request)![1]!;
  const page = await fetch(location);
  const form = parseAutoPostForm(await page.text());
  assert.ok(form);
  assert.equal(form.action, `${balancer.url}/auth/saml/acs`);
  return { form: form.fields, id };
}

/** Posted from the browser that began the sign-ins (it holds the last one's cookie). */
function postAcs(fields: Record<string, string>): Promise<Response> {
  return browser.postForm(`${balancer.url}/auth/saml/acs`, fields);
}

/** A Response the test IdP signs for an AuthnRequest ID of its choosing, as a forger would send. */
function responseTo(inResponseTo: string): Record<string, string> {
  const xml = idp.response({
    subject: 'alice@example.com',
    audience: SP_ENTITY_ID,
    recipient: `${balancer.url}/auth/saml/acs`,
    destination: `${balancer.url}/auth/saml/acs`,
    inResponseTo,
  });
  return { SAMLResponse: Buffer.from(xml).toString('base64') };
}

describe('SAML SP-initiated sign-in', () => {
  test('begun on replica A is answered on replica B; the request is answered once', async () => {
    idp.user = { subject: 'alice@example.com', attributes: { memberOf: ['ai-eng'] } };
    const { form, id } = await samlAnswer('A');
    assert.match(id, /^_[A-Za-z0-9_-]+$/, 'the request ID is a valid xs:ID');
    via('B');
    const res = await postAcs(form);
    assert.equal(lastServed('/auth/saml/acs'), 'B');
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as { token: string; groups: string[] };
    assert.deepEqual(body.groups, ['ai-eng']);
    assert.equal((await replicas.A.vigilTokens.verify(body.token)).subject, 'alice@example.com');

    via('A');
    const replayed = await refusal(await postAcs(form));
    assert.deepEqual([replayed.status, replayed.code], [401, 'saml_replayed']);
    // A fresh assertion, correctly signed, answering the same (already answered) request.
    const second = await refusal(await postAcs(responseTo(id)));
    assert.deepEqual([second.status, second.code], [401, 'saml_in_response_to']);
  });

  test('a forged or tampered request ID, or one sealed for another purpose, answers nothing', async () => {
    const { id } = await samlAnswer('A');
    const relay = await cliRelayState('A');
    via('B');
    for (const forged of [
      tamper(id),
      `_${randomBytes(90).toString('base64url')}`,
      `_${relay}`,
      id.slice(1),
    ]) {
      const refused = await refusal(await postAcs(responseTo(forged)));
      assert.deepEqual([refused.status, refused.code], [401, 'saml_in_response_to'], forged);
    }
    // Refused Responses marked nothing: the genuine request is still answered once.
    const res = await postAcs(responseTo(id));
    assert.equal(res.status, 200, await res.clone().text());
  });
});

const LOOPBACK = 'http://127.0.0.1:5555/callback';
const VERIFIER = randomBytes(32).toString('base64url');
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');
const CLI_QUERY = `?redirect_uri=${encodeURIComponent(LOOPBACK)}&code_challenge=${CHALLENGE}`;

/** The RelayState a `vigil login --saml` started on `replica` carries through the provider. */
async function cliRelayState(replica: 'A' | 'B'): Promise<string> {
  via(replica);
  const login = await fetch(`${balancer.url}/auth/saml/login${CLI_QUERY}`, { redirect: 'manual' });
  const relay = new URL(login.headers.get('location')!).searchParams.get('RelayState');
  assert.ok(relay);
  return relay;
}

function redeem(code: string, verifier = VERIFIER): Promise<Response> {
  return fetch(`${balancer.url}/auth/saml/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ code, code_verifier: verifier }),
  });
}

describe('vigil login --saml hand-off', () => {
  test('started on replica A, handed back and redeemed on replica B, once', async () => {
    const { form } = await samlAnswer('A', CLI_QUERY);
    assert.ok(form.RelayState);
    via('B');
    const acs = await postAcs(form);
    assert.equal(acs.status, 303, await acs.clone().text());
    const back = new URL(acs.headers.get('location')!);
    assert.equal(`${back.origin}${back.pathname}`, LOOPBACK);
    const code = back.searchParams.get('code')!;
    assert.ok(!code.includes('.'), 'the token is not in the URL in clear');

    const redeemed = await redeem(code);
    assert.equal(lastServed('/auth/saml/token'), 'B');
    assert.equal(redeemed.status, 200, await redeemed.clone().text());
    const { token } = (await redeemed.json()) as { token: string };
    assert.equal(token.includes(code), false);
    assert.equal((await replicas.A.vigilTokens.verify(token)).subject, 'alice@example.com');

    via('A');
    const again = await refusal(await redeem(code));
    assert.deepEqual([again.status, again.code], [401, 'auth_invalid']);
    assert.match(again.message, /already used/);
  });

  test('a tampered or misused code, or the wrong verifier, is refused; a forged RelayState hands nothing back', async () => {
    const { form } = await samlAnswer('A', CLI_QUERY);
    via('B');
    const tamperedRelay = await postAcs({ ...form, RelayState: tamper(form.RelayState!) });
    assert.equal(tamperedRelay.status, 200, 'answered as a browser sign-in, never sent to a listener');
    assert.equal(tamperedRelay.headers.get('location'), null);

    const { form: next } = await samlAnswer('B', CLI_QUERY);
    via('A');
    const acs = await postAcs(next);
    assert.equal(acs.status, 303, await acs.clone().text());
    const code = new URL(acs.headers.get('location')!).searchParams.get('code')!;
    via('B');
    for (const [forged, verifier] of [
      [tamper(code), VERIFIER],
      [code.slice(0, -10), VERIFIER],
      [next.RelayState!, VERIFIER], // sealed by Vigil, but a RelayState, not a code
      [code, randomBytes(32).toString('base64url')],
    ] as const) {
      const refused = await refusal(await redeem(forged, verifier));
      assert.deepEqual([refused.status, refused.code], [401, 'auth_invalid']);
    }
    // None of the refusals used the code up: its holder still redeems it.
    assert.equal((await redeem(code)).status, 200);
  });
});
