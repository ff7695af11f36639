// The gateway serving the web console: static files with their types, caching and security headers,
// index.html for client routes, a clear error when the console is not built; the console's cookie
// sign-in, its CSRF guard on state-changing calls, and sign-out. Real gateway, real HTTP.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CONSOLE_CSP } from '../../src/console/security-headers.js';
import { connectionEvents, startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';

let gateway: TestGateway;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-console-files-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(dir, 'assets', 'index-AbC123.js'), 'console.log(1)');
  writeFileSync(join(dir, 'assets', 'index-AbC123.css'), 'body{}');
  writeFileSync(join(dir, 'secret.js'), 'not served');
  process.env.VIGIL_CONSOLE_DIR = dir;
  gateway = await startTestGateway({ connections: [] });
});
after(async () => {
  delete process.env.VIGIL_CONSOLE_DIR;
  await gateway?.close();
});

function assertSecurityHeaders(res: Response): void {
  assert.equal(res.headers.get('content-security-policy'), CONSOLE_CSP);
  assert.match(CONSOLE_CSP, /default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'/);
  // WebAssembly only (the terminal player's emulator): never script evaluation or inline script.
  assert.doesNotMatch(CONSOLE_CSP, /'unsafe-eval'|'unsafe-inline'/);
  assert.match(CONSOLE_CSP, /frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'/);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
}

test('/ and client routes answer index.html, revalidated, with the security headers', async () => {
  for (const path of ['/', '/sessions', '/sessions/abc123?tab=tree&node=x', '/approvals']) {
    const res = await fetch(`${gateway.url}${path}`);
    assert.equal(res.status, 200, path);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assertSecurityHeaders(res);
    assert.match(await res.text(), /<title>console<\/title>/);
  }
});

test('hashed assets get their content type and a year of immutable caching; HEAD has no body', async () => {
  const js = await fetch(`${gateway.url}/assets/index-AbC123.js`);
  assert.equal(js.status, 200);
  assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assertSecurityHeaders(js);
  assert.equal(await js.text(), 'console.log(1)');
  const css = await fetch(`${gateway.url}/assets/index-AbC123.css`, { method: 'HEAD' });
  assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
  assert.equal(await css.text(), '');
});

test('only index.html and assets/ are served: other files, missing assets and traversal are unknown', async () => {
  for (const path of ['/assets/missing-1.js']) {
    const res = await fetch(`${gateway.url}${path}`);
    assert.equal(res.status, 404, path);
    assert.equal(res.headers.get('x-vigil-error'), 'route_unknown', path);
    assertSecurityHeaders(res);
  }
  // Paths that are not the console's stay unknown, as before it: /metrics with metrics off included.
  for (const path of [
    '/assets/..%2Fsecret.js',
    '/secret.js',
    '/favicon.ico',
    '/metrics',
    '/sessions/a/b',
    '/admin',
  ]) {
    const res = await fetch(`${gateway.url}${path}`);
    assert.equal(res.status, 404, path);
    assert.equal(res.headers.get('x-vigil-error'), 'route_unknown', path);
  }
  const post = await fetch(`${gateway.url}/sessions`, { method: 'POST' });
  assert.equal(post.status, 404);
});

test('a gateway whose console is not built answers console_not_built, and keeps serving the API', async () => {
  process.env.VIGIL_CONSOLE_DIR = join(dir, 'nowhere');
  const bare = await startTestGateway({ connections: [] });
  try {
    const res = await fetch(`${bare.url}/`);
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('x-vigil-error'), 'console_not_built');
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /npm run build/);
    const api = await fetch(`${bare.url}/api/whoami`, { headers: { authorization: `Bearer ${TOKENS.bob}` } });
    assert.equal(api.status, 200);
    const other = await fetch(`${bare.url}/robots.txt`);
    assert.equal(other.headers.get('x-vigil-error'), 'route_unknown');
  } finally {
    await bare.close();
    process.env.VIGIL_CONSOLE_DIR = dir;
  }
});

function cookieOf(res: Response): string {
  const line = res.headers.getSetCookie().find((c) => c.startsWith('vigil_console='));
  assert.ok(line, 'a vigil_console cookie is set');
  return line;
}

test('a pasted token becomes an HttpOnly SameSite=Strict cookie the admin API accepts; sign-out clears it', async () => {
  const noHeader = await fetch(`${gateway.url}/auth/console/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: TOKENS.audrey }),
  });
  assert.equal(noHeader.status, 403);
  assert.equal(noHeader.headers.get('x-vigil-error'), 'csrf_refused');
  assert.equal(noHeader.headers.getSetCookie().length, 0);

  const wrong = await fetch(`${gateway.url}/auth/console/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-vigil-console': '1' },
    body: JSON.stringify({ token: 'tok-nobody-0123456789' }),
  });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.headers.getSetCookie().length, 0);
  // The refused token is recorded as access.denied, as at every other door, and not the token itself.
  const [refused] = (await connectionEvents(gateway, 'auth', 'access.denied')).filter(
    (e) => e.payload?.flow === 'pasted_token',
  );
  assert.equal(refused?.payload?.code, wrong.headers.get('x-vigil-error'));
  assert.ok(!JSON.stringify(refused).includes('tok-nobody-0123456789'));

  const signIn = await fetch(`${gateway.url}/auth/console/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-vigil-console': '1' },
    body: JSON.stringify({ token: TOKENS.audrey }),
  });
  assert.equal(signIn.status, 200);
  const line = cookieOf(signIn);
  assert.match(line, /; HttpOnly/);
  assert.match(line, /; SameSite=Strict/);
  assert.match(line, /; Path=\//);
  assert.doesNotMatch(line, /Secure/, 'the test gateway is plain http');
  const cookie = line.split(';')[0]!;

  const who = await fetch(`${gateway.url}/api/whoami`, { headers: { cookie } });
  assert.equal(who.status, 200);
  assert.equal(((await who.json()) as { identity: { subject: string } }).identity.subject, 'audrey');

  const signOut = await fetch(`${gateway.url}/auth/console/signout`, {
    method: 'POST',
    headers: { cookie, 'x-vigil-console': '1' },
  });
  assert.equal(signOut.status, 200);
  assert.match(cookieOf(signOut), /^vigil_console=; .*Max-Age=0/);
});

test('a POST the cookie alone authenticates needs x-vigil-console (csrf_refused), a Bearer POST does not', async () => {
  const cookie = `vigil_console=${TOKENS.alice}`;
  const forged = await fetch(`${gateway.url}/api/tokens`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json' },
    body: JSON.stringify({ service_account: 'forged' }),
  });
  assert.equal(forged.status, 403);
  assert.equal(forged.headers.get('x-vigil-error'), 'csrf_refused');
  const tokens = await fetch(`${gateway.url}/api/tokens`, { headers: { cookie } });
  const names = ((await tokens.json()) as { tokens: { name: string }[] }).tokens.map((t) => t.name);
  assert.ok(!names.includes('forged'), 'the forged request created nothing');

  const fromConsole = await fetch(`${gateway.url}/api/tokens`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json', 'x-vigil-console': '1' },
    body: JSON.stringify({ service_account: 'from-console' }),
  });
  assert.equal(fromConsole.status, 201);
  const bearer = await fetch(`${gateway.url}/api/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json' },
    body: JSON.stringify({ service_account: 'from-cli' }),
  });
  assert.equal(bearer.status, 201);
});

test('GET /api/approvals/stream sends the visible pending approvals as server-sent events', async () => {
  const controller = new AbortController();
  const res = await fetch(`${gateway.url}/api/approvals/stream`, {
    headers: { authorization: `Bearer ${TOKENS.audrey}` },
    signal: controller.signal,
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const reader = res.body!.getReader();
  const { value } = await reader.read();
  const text = new TextDecoder().decode(value);
  assert.match(text, /^event: approvals\ndata: \{"approvals":\[\],"truncated":false\}\n\n/);
  controller.abort();
  const anonymous = await fetch(`${gateway.url}/api/approvals/stream`);
  assert.equal(anonymous.status, 401);
});

test('on an https gateway the cookie is __Host-vigil_console, and a planted unprefixed one is never read', async () => {
  // The public URL is https (as behind a TLS-terminating proxy); the test talks plain http to the
  // listener, which changes nothing about what the gateway sets and reads.
  const secure = await startTestGateway({ connections: [], identity: { public_url: 'https://vigil.test' } });
  try {
    const signIn = await fetch(`${secure.url}/auth/console/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-vigil-console': '1' },
      body: JSON.stringify({ token: TOKENS.audrey }),
    });
    assert.equal(signIn.status, 200);
    const lines = signIn.headers.getSetCookie();
    assert.equal(lines.length, 1, lines.join(' | '));
    const line = lines[0]!;
    assert.match(line, /^__Host-vigil_console=/);
    // What the prefix requires (a browser refuses the cookie otherwise): Secure, Path=/, no Domain.
    assert.match(line, /; Secure(;|$)/);
    assert.match(line, /; Path=\/(;|$)/);
    assert.doesNotMatch(line, /domain=/i);
    assert.match(line, /; HttpOnly/);
    assert.match(line, /; SameSite=Strict/);
    const cookie = line.split(';')[0]!;

    const whoami = async (cookieHeader: string) => {
      const res = await fetch(`${secure.url}/api/whoami`, { headers: { cookie: cookieHeader } });
      const body = (await res.json()) as { identity?: { subject: string } };
      return { status: res.status, code: res.headers.get('x-vigil-error'), subject: body.identity?.subject };
    };
    assert.deepEqual(await whoami(cookie), { status: 200, code: null, subject: 'audrey' });
    // A sibling subdomain planted `vigil_console` for the parent domain, holding the attacker's own
    // token (alice's here): alone it signs nobody in; sent first, before the real cookie, it loses.
    const planted = `vigil_console=${TOKENS.alice}`;
    assert.deepEqual(await whoami(planted), { status: 401, code: 'auth_missing', subject: undefined });
    assert.deepEqual(await whoami(`${planted}; ${cookie}`), { status: 200, code: null, subject: 'audrey' });
    // Nor does the planted cookie authenticate a state-changing call, with the console's header.
    const forged = await fetch(`${secure.url}/api/tokens`, {
      method: 'POST',
      headers: { cookie: planted, 'content-type': 'application/json', 'x-vigil-console': '1' },
      body: JSON.stringify({ service_account: 'planted' }),
    });
    assert.equal(forged.status, 401);

    const signOut = await fetch(`${secure.url}/auth/console/signout`, {
      method: 'POST',
      headers: { cookie, 'x-vigil-console': '1' },
    });
    assert.equal(signOut.status, 200);
    const [cleared] = signOut.headers.getSetCookie();
    assert.match(cleared ?? '', /^__Host-vigil_console=; .*Max-Age=0.*; Secure/);
  } finally {
    await secure.close();
  }
});

test('on plain http the cookie keeps its name vigil_console; a __Host- one is not read there', async () => {
  const signIn = await fetch(`${gateway.url}/auth/console/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-vigil-console': '1' },
    body: JSON.stringify({ token: TOKENS.bob }),
  });
  assert.equal(signIn.status, 200);
  assert.deepEqual(
    signIn.headers.getSetCookie().map((l) => l.split('=')[0]),
    ['vigil_console'],
  );
  const prefixed = await fetch(`${gateway.url}/api/whoami`, {
    headers: { cookie: `__Host-vigil_console=${TOKENS.bob}` },
  });
  assert.equal(prefixed.status, 401);
  const plain = await fetch(`${gateway.url}/api/whoami`, {
    headers: { cookie: `vigil_console=${TOKENS.bob}` },
  });
  assert.equal(plain.status, 200);
});
