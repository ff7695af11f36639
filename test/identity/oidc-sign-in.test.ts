// OIDC sign-in against a real OpenID provider (oidc-provider, started here): the browser flow
// through the gateway (/auth/login → provider → /auth/callback), the CLI's device and loopback flows
// ending at /auth/exchange, group mapping onto connection rules and admin roles, and refusals (an
// id_token for another client, a forged one, a tampered Vigil token, a replayed callback).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Command } from 'commander';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { register } from '../../src/cli/commands/login.js';
import type { StoredEvent } from '../../src/core/events.js';
import { OidcClient } from '../../src/identity/oidc-client.js';
import { loginToGateway } from '../../src/identity/oidc-login.js';
import { sessionEvents, startTestGateway, type TestGateway } from '../support/gateway.js';
import { startTestProvider, TestBrowser, type TestProvider } from '../support/oidc-provider.js';

let provider: TestProvider;
let gateway: TestGateway;
let model: Server;
let modelUrl: string;
const upstreamSaw: string[] = [];

const ACCOUNTS = {
  'alice-sub': { email: 'alice@example.com', groups: ['ai-eng', 'staff'] },
  'bob-sub': { email: 'bob@example.com', groups: ['contractors'] },
  'carol-sub': { email: 'carol@example.com', groups: ['security'] },
  // Someone who typed carol's address at the provider, which never verified it.
  'mallory-sub': { email: 'carol@example.com', groups: [], emailVerified: false },
};

before(async () => {
  provider = await startTestProvider(ACCOUNTS);
  // Any local HTTP server stands in for the model: it answers a chat completion and notes the key.
  model = createServer((req, res) => {
    upstreamSaw.push(req.headers.authorization ?? '');
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'chatcmpl-1',
          object: 'chat.completion',
          created: 1,
          model: 'stand-in',
          choices: [{ index: 0, message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => model.listen(0, '127.0.0.1', resolve));
  modelUrl = `http://127.0.0.1:${(model.address() as AddressInfo).port}`;
  process.env.VIGIL_TEST_OIDC_MODEL_KEY = 'sk-upstream-key-for-oidc-tests';
  gateway = await startTestGateway({
    identity: {
      token_ttl: '15m',
      oidc: { issuer: provider.issuer, client_id: 'vigil', allow_insecure_http: true },
      roles: { admin: ['group:staff'], auditor: ['user:carol@example.com'] },
    },
    connections: [
      {
        name: 'oa',
        type: 'llm-openai',
        upstream: modelUrl,
        credential: 'env:VIGIL_TEST_OIDC_MODEL_KEY',
        allow: ['group:ai-eng', 'group:security'],
        deny: ['group:contractors'],
      },
    ],
  });
});

after(async () => {
  await gateway?.close();
  await provider?.close();
  await new Promise<void>((resolve) => (model ? model.close(() => resolve()) : resolve()));
});

interface SignInBody {
  token: string;
  token_type: string;
  token_id: string;
  expires_at: string;
  subject: string;
  groups: string[];
  roles: string[];
}

/** The browser flow, start to finish, as `account`. */
async function browserSignIn(account: string): Promise<SignInBody> {
  provider.signInAs = account;
  const { url, response } = await new TestBrowser().follow(`${gateway.url}/auth/login`);
  assert.ok(url.startsWith(`${gateway.url}/auth/callback?`), `ended at ${url}`);
  assert.ok(response);
  assert.equal(response.status, 200, await response.clone().text());
  assert.equal(response.headers.get('cache-control'), 'no-store');
  return (await response.json()) as SignInBody;
}

function chat(token: string) {
  return fetch(`${gateway.url}/c/oa/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'stand-in', messages: [{ role: 'user', content: 'hi' }] }),
  });
}

function whoami(token: string) {
  return fetch(`${gateway.url}/api/whoami`, { headers: { authorization: `Bearer ${token}` } });
}

const authEvents = (): Promise<StoredEvent[]> => sessionEvents(gateway, 'auth');

/** An id_token the provider issued to `clientId`, obtained with a loopback redirect. */
async function idTokenFor(clientId: string, account: string): Promise<string> {
  provider.signInAs = account;
  const client = await OidcClient.discover({
    issuer: provider.issuer,
    clientId,
    scopes: 'openid email groups',
    allowInsecureHttp: true,
  });
  const redirect = 'http://127.0.0.1:9/callback';
  const { url, checks } = await client.startAuthorization(redirect);
  const back = await new TestBrowser().follow(url.toString(), 'http://127.0.0.1:9/');
  return (await client.finishAuthorization(new URL(back.url), checks)).idToken;
}

describe('GET /auth/config', () => {
  test('names the provider, the client and whether the device grant is offered', async () => {
    const res = await fetch(`${gateway.url}/auth/config`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      issuer: provider.issuer,
      client_id: 'vigil',
      scopes: 'openid email profile groups',
      device_authorization: true,
      allow_insecure_http: true,
    });
  });
});

describe('browser sign-in: authorization code with PKCE', () => {
  test('the login redirect carries PKCE S256, state and nonce', async () => {
    const res = await fetch(`${gateway.url}/auth/login`, { redirect: 'manual' });
    assert.equal(res.status, 302);
    const location = new URL(res.headers.get('location')!);
    assert.ok(location.toString().startsWith(provider.issuer));
    assert.equal(location.searchParams.get('client_id'), 'vigil');
    assert.equal(location.searchParams.get('response_type'), 'code');
    assert.equal(location.searchParams.get('code_challenge_method'), 'S256');
    assert.match(location.searchParams.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.ok(location.searchParams.get('state'));
    assert.ok(location.searchParams.get('nonce'));
    assert.equal(location.searchParams.get('redirect_uri'), `${gateway.url}/auth/callback`);
  });

  test('yields a Vigil token that works on an LLM connection and carries groups and roles', async () => {
    const signedIn = await browserSignIn('alice-sub');
    assert.equal(signedIn.subject, 'alice@example.com');
    assert.equal(signedIn.token_type, 'Bearer');
    assert.deepEqual(signedIn.groups, ['ai-eng', 'staff']);
    assert.deepEqual(signedIn.roles, ['admin', 'user']);
    const lifetime = Date.parse(signedIn.expires_at) - Date.now();
    assert.ok(lifetime > 14 * 60_000 && lifetime <= 15 * 60_000, `lifetime ${lifetime} ms`);

    const claims = await gateway.vigilTokens.verify(signedIn.token);
    assert.equal(claims.subject, 'alice@example.com');
    assert.equal(claims.tokenId, signedIn.token_id);

    const res = await chat(signedIn.token);
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(
      ((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content,
      'hello',
    );
    assert.equal(upstreamSaw.at(-1), 'Bearer sk-upstream-key-for-oidc-tests');

    const me = (await (await whoami(signedIn.token)).json()) as {
      identity: { subject: string };
      roles: string[];
    };
    assert.equal(me.identity.subject, 'alice@example.com');
    assert.deepEqual(me.roles, ['admin', 'user']);

    const granted = (await authEvents()).find(
      (e) => e.type === 'access.granted' && e.payload?.token_id === signedIn.token_id,
    );
    assert.ok(granted, 'the sign-in is in the ledger');
    assert.equal(granted.identity.subject, 'alice@example.com');
    assert.equal(granted.payload?.via, 'oidc');
    assert.equal(granted.payload?.flow, 'authorization_code');
    assert.equal(granted.payload?.expires_at, signedIn.expires_at);
  });

  test('groups map onto connection rules and roles: a contractor is refused the connection', async () => {
    const bob = await browserSignIn('bob-sub');
    assert.deepEqual(bob.groups, ['contractors']);
    assert.deepEqual(bob.roles, ['user']);
    const res = await chat(bob.token);
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('x-vigil-error'), 'forbidden_connection');
    const me = (await (await whoami(bob.token)).json()) as { roles: string[] };
    assert.deepEqual(me.roles, ['user']);
  });

  test('a role can name the user: carol is an auditor, and her group admits her to the connection', async () => {
    const carol = await browserSignIn('carol-sub');
    assert.deepEqual(carol.roles, ['auditor', 'user']);
    assert.equal((await chat(carol.token)).status, 200);
  });

  test('an address the provider has not verified signs nobody in: mallory cannot become carol, and the refusal is recorded', async () => {
    provider.signInAs = 'mallory-sub';
    const { url, response } = await new TestBrowser().follow(`${gateway.url}/auth/login`);
    assert.ok(url.startsWith(`${gateway.url}/auth/callback?`), `ended at ${url}`);
    assert.equal(response?.status, 401);
    assert.equal(response?.headers.get('x-vigil-error'), 'auth_invalid');
    assert.match(await response!.text(), /not verified/);
    const refused = (await authEvents()).filter(
      (e) => e.type === 'access.denied' && JSON.stringify(e.payload).includes('not verified'),
    );
    assert.ok(refused.length >= 1, 'the refused sign-in is in the ledger');
  });

  /**
   * A browser sign-in stopped at the provider's redirect back: the callback URL and the cookie that
   * ties it to the browser that began it (without which the callback signs nobody in).
   */
  async function begunSignIn(account: string): Promise<{ callback: string; cookie: string }> {
    provider.signInAs = account;
    const start = await fetch(`${gateway.url}/auth/login`, { redirect: 'manual' });
    const cookie = start.headers.getSetCookie().find((c) => c.startsWith('vigil_sign_in_browser='));
    assert.ok(cookie, 'the sign-in leaves its browser cookie');
    const back = await new TestBrowser().follow(
      start.headers.get('location')!,
      `${gateway.url}/auth/callback`,
    );
    return { callback: back.url, cookie: cookie.split(';')[0]! };
  }

  test('a browser that asks for HTML gets a page showing the token', async () => {
    const { callback, cookie } = await begunSignIn('alice-sub');
    const res = await fetch(callback, { headers: { accept: 'text/html,application/xhtml+xml', cookie } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    const page = await res.text();
    assert.match(page, /Signed in as alice@example\.com/);
    const token = /<textarea[^>]*>([^<]+)<\/textarea>/.exec(page)?.[1];
    assert.ok(token);
    assert.equal((await gateway.vigilTokens.verify(token)).subject, 'alice@example.com');
  });

  test('a callback cannot be replayed, and an unknown state is refused and recorded', async () => {
    const { callback, cookie } = await begunSignIn('alice-sub');
    assert.equal((await fetch(callback, { headers: { cookie } })).status, 200);
    const replay = await fetch(callback, { headers: { cookie } });
    assert.equal(replay.status, 401);
    assert.equal(replay.headers.get('x-vigil-error'), 'auth_invalid');

    const forged = new URL(callback);
    forged.searchParams.set('state', 'made-up-state');
    const res = await fetch(forged, { headers: { cookie } });
    assert.equal(res.status, 401);
    assert.match(
      ((await res.json()) as { error: { message: string } }).error.message,
      /unknown, already used or expired/,
    );
    const denials = (await authEvents()).filter((e) => e.type === 'access.denied');
    assert.ok(
      denials.some((e) => e.identity.kind === 'anonymous' && e.payload?.flow === 'authorization_code'),
    );
  });

  test('a provider refusal (access_denied) comes back as auth_invalid, not a token', async () => {
    const start = await fetch(`${gateway.url}/auth/login`, { redirect: 'manual' });
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const res = await fetch(`${gateway.url}/auth/callback?error=access_denied&state=${state}`);
    assert.equal(res.status, 401);
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /access_denied/);
  });
});

describe('CLI sign-in (vigil login)', () => {
  test('device flow: the user approves the code; the id_token is exchanged for a Vigil token', async () => {
    provider.signInAs = 'alice-sub';
    let approval: Promise<string> | null = null;
    let shownCode = '';
    const result = await loginToGateway({
      gatewayUrl: gateway.url,
      onPrompt: (prompt) => {
        assert.equal(prompt.kind, 'device');
        if (prompt.kind !== 'device') return;
        shownCode = prompt.userCode;
        assert.ok(
          prompt.verificationUriComplete?.includes(encodeURIComponent(prompt.userCode)) ||
            prompt.verificationUriComplete?.includes(prompt.userCode),
        );
        approval = new TestBrowser().approveDevice(prompt.verificationUriComplete!);
      },
    });
    assert.ok(shownCode);
    assert.match(await approval!, /signed in/);
    assert.equal(result.flow, 'device');
    assert.equal(result.subject, 'alice@example.com');
    assert.deepEqual(result.groups, ['ai-eng', 'staff']);
    assert.equal((await chat(result.token)).status, 200);
    const granted = (await authEvents()).find((e) => e.payload?.token_id === result.tokenId);
    assert.equal(granted?.payload?.flow, 'device');
  });

  test('loopback flow (--no-device): the browser comes back to a listener on 127.0.0.1', async () => {
    provider.signInAs = 'bob-sub';
    let visit: Promise<unknown> | null = null;
    const result = await loginToGateway({
      gatewayUrl: gateway.url,
      preferDevice: false,
      onPrompt: (prompt) => {
        assert.equal(prompt.kind, 'browser');
        if (prompt.kind !== 'browser') return;
        const url = new URL(prompt.url);
        assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
        assert.match(url.searchParams.get('redirect_uri') ?? '', /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
        visit = new TestBrowser().follow(prompt.url);
      },
    });
    await visit;
    assert.equal(result.flow, 'loopback');
    assert.equal(result.subject, 'bob@example.com');
    assert.deepEqual(result.roles, ['user']);
  });
});

describe('the vigil login and logout commands', () => {
  test('login --no-device stores the token (0600) for the gateway; logout forgets it', async () => {
    const xdg = mkdtempSync(join(tmpdir(), 'vigil-login-'));
    const saved = { xdg: process.env.XDG_CONFIG_HOME, error: console.error, log: console.log };
    process.env.XDG_CONFIG_HOME = xdg;
    const printed: string[] = [];
    let visit: Promise<unknown> | null = null;
    // The command prints the URL for a person to open; here the test browser opens it.
    console.error = (text: string) => {
      const url = /https?:\/\/\S+/.exec(text)?.[0];
      if (url) visit = new TestBrowser().follow(url);
    };
    console.log = (text: string) => printed.push(text);
    provider.signInAs = 'carol-sub';
    let exitCode = 0;
    try {
      const program = new Command('vigil').exitOverride();
      register(program, (code) => {
        exitCode = code;
      });
      await program.parseAsync(['node', 'vigil', 'login', '--gateway', gateway.url, '--no-device']);
      await visit;
      const file = join(xdg, 'vigil', 'token');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const stored = JSON.parse(readFileSync(file, 'utf8')) as {
        gateway: string;
        token: string;
        subject: string;
      };
      assert.equal(stored.gateway, gateway.url);
      assert.equal(stored.subject, 'carol@example.com');
      assert.equal((await gateway.vigilTokens.verify(stored.token)).subject, 'carol@example.com');
      assert.match(printed.join('\n'), /signed in to .* as carol@example\.com/);

      await program.parseAsync(['node', 'vigil', 'logout']);
      assert.equal(existsSync(file), false);
      assert.equal(exitCode, 0);
      await program.parseAsync(['node', 'vigil', 'logout']);
      assert.equal(exitCode, 1, 'nothing to forget');
    } finally {
      console.error = saved.error;
      console.log = saved.log;
      if (saved.xdg === undefined) delete process.env.XDG_CONFIG_HOME;
      else process.env.XDG_CONFIG_HOME = saved.xdg;
    }
  });
});

describe('refusals', () => {
  test('an id_token issued to another client is refused at /auth/exchange', async () => {
    const foreign = await idTokenFor('other-app', 'alice-sub');
    const res = await fetch(`${gateway.url}/auth/exchange`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id_token: foreign }),
    });
    assert.equal(res.status, 401);
    const body = (await res.json()) as { token?: string; error: { code: string; message: string } };
    assert.equal(body.token, undefined);
    assert.equal(body.error.code, 'auth_invalid');
    assert.match(body.error.message, /another audience/);
    const denial = (await authEvents()).find(
      (e) => e.type === 'access.denied' && /another audience/.test(String(e.payload?.message)),
    );
    assert.ok(denial, 'the refused exchange is in the ledger');
  });

  test('an id_token for this client is accepted at /auth/exchange', async () => {
    const own = await idTokenFor('vigil', 'carol-sub');
    const res = await fetch(`${gateway.url}/auth/exchange`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id_token: own }),
    });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as SignInBody).subject, 'carol@example.com');
  });

  test('an id_token with the right claims but signed by another key is refused', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ email: 'mallory@example.com', groups: ['staff'] })
      .setProtectedHeader({ alg: 'RS256', kid: (await exportJWK(publicKey)).kid ?? 'test-key' })
      .setIssuer(provider.issuer)
      .setAudience('vigil')
      .setSubject('mallory')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    const res = await fetch(`${gateway.url}/auth/exchange`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id_token: forged }),
    });
    assert.equal(res.status, 401);
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /signature/);
  });

  test('a tampered Vigil token is refused on the connection and the admin API', async () => {
    const signedIn = await browserSignIn('bob-sub');
    const [header, payload, signature] = signedIn.token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { groups: string[] };
    claims.groups = ['ai-eng', 'staff'];
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    const res = await chat(tampered);
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('x-vigil-error'), 'auth_invalid');
    const api = await whoami(tampered);
    assert.equal(api.status, 401);
    assert.equal(api.headers.get('x-vigil-error'), 'auth_invalid');
  });

  test('an exchange without an id_token is a usage error', async () => {
    const res = await fetch(`${gateway.url}/auth/exchange`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('x-vigil-error'), 'usage');
  });
});
