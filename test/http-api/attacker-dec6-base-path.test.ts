// Attacks on an `http` connection whose upstream URL has a path of its own (`https://host/api`,
// Nextcloud's `/remote.php/dav`), run through the gateway against a real upstream that routes as
// Tomcat behind a proxy that decodes does: `;` parameters dropped, percent-decoded twice, dot
// segments applied, all from its root. The connection's rules name paths below the base, and Vigil
// clamped a `..` at the root of every reading of the path, while such an upstream resolves it from
// its own root, out of the base: `/..;/api/admin/keys` was judged as `/..;/api/admin/keys` and
// `/api/admin/keys`, neither under a rule denying `/admin/**`, and reached the base's `/admin/keys`;
// `/..;/internal/keys` reached a route outside the base. A WebDAV COPY or MOVE's `Destination` is
// read by the upstream from its root too, so `Destination: /api/admin/page` wrote to the base's
// `/admin/page` while Vigil judged `/api/admin/page`.
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
import { sendThrough } from './send-through.js';

let upstream: Server;
let gateway: TestGateway;
let upstreamUrl = '';
/** What the upstream ran: the method, the path it routed to, and where a COPY or MOVE wrote. */
const ran: { method: string; routed: string; wrote: string | null }[] = [];

/**
 * A path as Tomcat behind a decoding proxy routes it, from its root: decoded twice, `;` parameters
 * dropped from each segment, dot segments applied (a `..` at the root stays at the root).
 */
function routed(target: string): string {
  let path = target.replace(/^[a-z]+:\/\/[^/]*/i, '').split('?')[0]!;
  for (let i = 0; i < 2; i++) path = decodeURIComponent(path);
  const out: string[] = [];
  for (const segment of path
    .split('/')
    .slice(1)
    .map((s) => s.replace(/;.*$/s, ''))) {
    if (segment === '..') out.pop();
    else if (segment !== '.') out.push(segment);
  }
  return `/${out.join('/')}`;
}

before(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const destination = req.headers.destination?.toString();
      ran.push({
        method: req.method ?? '',
        routed: routed(req.url ?? '/'),
        wrote: destination === undefined ? null : routed(destination),
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  upstreamUrl = await listenOnLoopback(upstream);
  process.env.VIGIL_TEST_DEC6_BASE_KEY = 'sk-proj-BasePathNeverHeldByTheCaller0123456789';
  gateway = await startTestGateway({
    connections: [
      {
        name: 'dav',
        type: 'http',
        // The API lives under /api; the upstream also serves routes outside it.
        upstream: `${upstreamUrl}/api/`,
        credential: 'env:VIGIL_TEST_DEC6_BASE_KEY',
        allow: ['group:ai-eng'],
        rules: [{ path: '/admin/**', action: 'deny' }],
      },
    ],
  });
});

after(async () => {
  await gateway?.close();
  upstream?.closeAllConnections();
  await new Promise<void>((r) => upstream?.close(() => r()));
});

/** What the upstream ran outside the connection's allowed reach: the base's /admin, or outside the base. */
function escaped(since: number): typeof ran {
  const bad = (path: string | null) =>
    path !== null && (path === '/api/admin' || path.startsWith('/api/admin/') || !path.startsWith('/api/'));
  return ran.slice(since).filter((r) => bad(r.routed) || bad(r.wrote));
}

test('the denied path below the base cannot be reached directly', async () => {
  const before = ran.length;
  const res = await sendThrough(gateway.url, 'dav', 'GET', '/admin/keys');
  assert.equal(res.status, 403);
  assert.equal(res.code, 'policy_denied');
  assert.deepEqual(ran.slice(before), []);
});

test('a path whose other reading climbs out of the base is refused, and reaches nothing', async () => {
  for (const path of [
    // Tomcat and Spring drop `;` parameters before they apply dot segments.
    '/..;/api/admin/keys',
    '/public/..;/..;/api/admin/keys',
    '/..;/internal/keys',
    '/x;a=1/..;b=2/..;/api/ADMIN/keys',
    // A server that decodes twice.
    '/%252e%252e/api/admin/keys',
    '/x/%252e%252e/%252e%252e/internal/keys',
    '/%252E%252E/internal',
  ]) {
    const before = ran.length;
    const res = await sendThrough(gateway.url, 'dav', 'GET', path);
    assert.deepEqual(escaped(before), [], `${path} ran outside what the rules allow`);
    assert.equal(res.status, 400, path);
    assert.equal(res.code, 'uri_malformed', path);
  }
});

test('paths whose readings stay within the base still pass', async () => {
  for (const [path, routedTo] of [
    ['/public/page', '/api/public/page'],
    ['/public/..;/docs', '/api/docs'],
    ['/x/%252e%252e/docs', '/api/docs'],
  ] as const) {
    const before = ran.length;
    const res = await sendThrough(gateway.url, 'dav', 'GET', path);
    assert.equal(res.status, 200, path);
    assert.deepEqual(ran.slice(before), [{ method: 'GET', routed: routedTo, wrote: null }]);
  }
});

test('a COPY or MOVE whose Destination names a denied path below the base, or one outside it, is refused', async () => {
  const host = new URL(upstreamUrl).host;
  for (const [method, destination, code] of [
    ['COPY', '/api/admin/page', 'policy_denied'],
    ['MOVE', `http://${host}/api/admin/page`, 'policy_denied'],
    ['COPY', '/api/public/..;/admin/page', 'policy_denied'],
    ['MOVE', '/api/public/%252e%252e/admin', 'policy_denied'],
    // Outside the base: a resource no rule of the connection can name.
    ['COPY', '/internal/page', 'uri_malformed'],
    ['MOVE', '/api/..;/internal/page', 'uri_malformed'],
    ['COPY', '/apix/page', 'uri_malformed'],
  ] as const) {
    const before = ran.length;
    const res = await sendThrough(gateway.url, 'dav', method, '/public/page', { destination });
    assert.deepEqual(escaped(before), [], `${method} to ${destination} wrote outside what the rules allow`);
    assert.equal(res.code, code, `${method} to ${destination}`);
  }
  // A copy within what the rules allow passes, recorded with where it writes to below the base.
  const before = ran.length;
  const ok = await sendThrough(gateway.url, 'dav', 'COPY', '/public/page', {
    destination: '/api/public/copy',
  });
  assert.equal(ok.status, 200);
  assert.deepEqual(ran.slice(before), [
    { method: 'COPY', routed: '/api/public/page', wrote: '/api/public/copy' },
  ]);
  const recorded = (await connectionEvents(gateway, 'dav', 'http.request')).at(-1)!;
  assert.equal(recorded.payload?.destination, '/public/copy');
});

test('every refusal above is recorded, and the ledger verifies', async () => {
  const denied = await connectionEvents(gateway, 'dav', 'access.denied');
  assert.equal(denied.filter((e) => JSON.stringify(e.payload).includes('uri_malformed')).length, 7 + 3);
  const refused = (await connectionEvents(gateway, 'dav', 'http.request')).filter((e) => e.payload?.refused);
  assert.equal(refused.length, 1 + 4);
  assert.deepEqual(
    refused.slice(1).map((e) => e.payload?.destination),
    ['/admin/page', '/admin/page', '/public/..;/admin/page', '/public/%2e%2e/admin'],
  );
  await assertLedgerVerifies(gateway);
});
