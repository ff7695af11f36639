// Attacks on an `http` connection whose upstream routes ignoring case the way Java's
// `equalsIgnoreCase` compares (Spring's AntPathMatcher with case sensitivity off, JAX-RS servers),
// run through the gateway against a real upstream that records what it received and what it routed
// it to. Such a router upper-cases each character with its one-character mapping, then lower-cases
// that: `ı` (dotless i) and `İ` are `i` to it, `ſ` (long s) is `s` (as it is to .NET's
// OrdinalIgnoreCase and Go's EqualFold). Vigil read the path in lower case, and JavaScript's
// `toLowerCase` leaves all three apart from ASCII, so `/admın/keys` passed a rule denying
// `/admin/**` and ran the upstream's `/admin/keys` with the injected credential, recorded as a path
// no rule names (until 7 December).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import {
  assertLedgerVerifies,
  connectionEvents,
  startTestGateway,
  type TestGateway,
} from '../support/gateway.js';
import { listenOnLoopback } from '../support/loopback.js';
import { exchange } from './send-through.js';

/** One UTF-16 unit upper-cased by its one-unit mapping, as Java's Character.toUpperCase(char). */
const upper = (c: string) => (c.toUpperCase().length === 1 ? c.toUpperCase() : c);
/** Java's Character.toLowerCase(char): `İ` is `i` (JavaScript's full mapping adds a combining dot). */
const lower = (c: string) => (c === '\u0130' ? 'i' : c.toLowerCase().length === 1 ? c.toLowerCase() : c);

/** java.lang.String#equalsIgnoreCase, unit by unit, as its Javadoc states it. */
function javaEqualsIgnoreCase(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [a[i]!, b[i]!];
    if (x === y || upper(x) === upper(y) || lower(upper(x)) === lower(upper(y))) continue;
    return false;
  }
  return true;
}

/** The upstream's routes; a `*` segment matches any one segment. */
const ROUTES = [
  ['admin', 'keys'],
  ['secrets', '*'],
  ['public', '*'],
];

/** The route a case-insensitive Spring application serves a request path by, or null (404). */
function routed(url: string): string | null {
  const segments = decodeURIComponent(url.split('?')[0]!).split('/').slice(1);
  const route = ROUTES.find(
    (r) =>
      r.length === segments.length && r.every((p, i) => p === '*' || javaEqualsIgnoreCase(p, segments[i]!)),
  );
  return route ? `/${route.join('/')}` : null;
}

let upstream: Server;
let gateway: TestGateway;
const seen: { method: string; url: string; routed: string | null }[] = [];

before(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const route = routed(req.url ?? '/');
      seen.push({ method: req.method ?? '', url: req.url ?? '', routed: route });
      res.writeHead(route === null ? 404 : 200, { 'content-type': 'text/plain' });
      res.end(route ?? 'no route');
    });
  });
  const url = await listenOnLoopback(upstream);
  process.env.VIGIL_TEST_CASE_FOLD_KEY = 'sk-case-fold-AttackerNeverHoldsThis0123456789';
  gateway = await startTestGateway({
    connections: [
      {
        name: 'api',
        type: 'http',
        upstream: url,
        credential: 'env:VIGIL_TEST_CASE_FOLD_KEY',
        allow: ['group:ai-eng'],
        rules: [
          { methods: ['DELETE'], path: '/**', action: 'deny' },
          { path: '/admin/**', action: 'deny' },
          { path: '/secrets/**', action: 'deny' },
          { methods: ['GET', 'HEAD'], path: '/public/**', action: 'allow' },
        ],
      },
    ],
  });
});

after(async () => {
  await gateway?.close();
  upstream?.closeAllConnections();
  await new Promise<void>((r) => upstream?.close(() => r()));
});

const send = (method: string, path: string) => exchange(gateway.url, 'api', method, path);

test('the upstream routes ignoring case as Java does, and the denied paths cannot be reached as spelled', async () => {
  // The stand-in behaves as described: these spellings all reach the denied routes there.
  assert.equal(routed('/ADMIN/Keys'), '/admin/keys');
  assert.equal(routed('/adm%C4%B1n/keys'), '/admin/keys');
  assert.equal(routed('/adm%C4%B0n/keys'), '/admin/keys');
  assert.equal(routed('/%C5%BFecrets/x'), '/secrets/*');
  for (const path of ['/admin/keys', '/ADMIN/Keys', '/secrets/x']) {
    const res = await send('GET', path);
    assert.equal(res.headers['x-vigil-error'], 'policy_denied', path);
  }
  assert.equal(seen.length, 0);
});

test('a path with a letter that folds to ASCII only under simple case mapping is refused, never routed', async () => {
  const attacks = [
    '/adm%C4%B1n/keys', // ı, dotless i
    '/ADM%C4%B0N/KEYS', // İ, capital I with a dot
    '/adm%C4%B0n/keys',
    '/%C5%BFecrets/x', // ſ, long s
    '/SECRET%C5%BF/x',
    '/public/../adm%C4%B1n/keys',
    '/adm%C4%B1n/keys/', // with a trailing slash, which routers that ignore one also serve
  ];
  for (const path of attacks) {
    const before = seen.length;
    const res = await send('GET', path);
    const reached = seen.slice(before);
    // What matters first: the upstream never ran a denied route with the injected credential.
    assert.deepEqual(
      reached.filter((r) => r.routed === '/admin/keys' || r.routed === '/secrets/*'),
      [],
      `${path} reached the upstream as ${JSON.stringify(reached)}`,
    );
    assert.equal(res.status, 403, path);
    assert.equal(res.headers['x-vigil-error'], 'policy_denied', path);
    assert.equal(reached.length, 0, path);
  }
});

test('paths whose letters fold to nothing denied still pass, recorded as the upstream got them', async () => {
  for (const path of ['/public/adm%C4%B1n', '/public/stra%C3%9Fe', '/public/%E2%84%AAelvin']) {
    const before = seen.length;
    const res = await send('GET', path);
    assert.equal(res.status, 200, path);
    const reached = seen.slice(before);
    assert.equal(reached.length, 1, path);
    assert.equal(reached[0]!.url, path);
    const recorded = (await connectionEvents(gateway, 'api', 'http.request')).at(-1)!;
    assert.equal(encodeURI(String(recorded.payload?.path)), path);
  }
});

test('every refusal above is recorded with the path as sent, and the ledger verifies', async () => {
  const refused = (await connectionEvents(gateway, 'api', 'http.request')).filter((e) => e.payload?.refused);
  assert.equal(refused.length, 3 + 7);
  const paths = refused.map((e) => String(e.payload?.path));
  assert.ok(paths.includes('/admın/keys'));
  assert.ok(paths.includes('/ſecrets/x'));
  await assertLedgerVerifies(gateway);
});
