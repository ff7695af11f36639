// A third round of attacks on an `http` connection, run through the gateway against a real upstream
// that records what it received and routes as a server that decodes the path twice does (IIS with
// double escaping allowed, a proxy that decodes before an app that decodes again). Vigil judged the
// second decoding as a reading of the path, but dropped it when that decoding held a backslash or a
// control character, the very characters it refuses in the first: `/x/..%255Cadmin` reached such a
// server as `/x/..\admin`, which it serves as `/admin`, and `/admin%2500` as `/admin` cut at the
// NUL, past a rule denying `/admin/**`, recorded as `/x/..%5Cadmin` and `/admin%00`. And a WebDAV
// COPY or MOVE writes to the path its `Destination` header names, which neither the rules nor policy
// read: `COPY /public/page` with `Destination: /admin/page` wrote under `/admin`. A `?` or `#`
// that a decoding makes ends the path for a server that decodes before it splits off the query
// (or behind a proxy that decodes): `/admin%3F` was judged as a path named `admin?`.
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

let upstream: Server;
let gateway: TestGateway;
/** What the upstream received, and the path it routed it to. */
const seen: { method: string; url: string; routed: string; destination: string | undefined }[] = [];

/**
 * The path as a server that decodes twice routes it: percent-decoded twice, cut at a NUL (C
 * strings) and at a decoded `?` or `#`, backslashes as separators, dot segments applied.
 */
function routedTwice(url: string): string {
  let path = url.split('?')[0]!;
  for (let i = 0; i < 2; i++) {
    try {
      path = decodeURIComponent(path);
    } catch {
      return '(refused)';
    }
  }
  // A `?` or `#` only a decoding made ends the path to a server that decodes before it splits.
  path = path.split(/[?#\u0000]/)[0]!.replaceAll('\\', '/');
  const out: string[] = [];
  for (const segment of path.split('/').slice(1)) {
    if (segment === '..') out.pop();
    else if (segment !== '.') out.push(segment);
  }
  return `/${out.join('/')}`;
}

before(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        routed: routedTwice(req.url ?? ''),
        destination: req.headers.destination?.toString(),
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  const url = await listenOnLoopback(upstream);
  process.env.VIGIL_TEST_ATTACKER3_KEY = 'sk-proj-AttackerThreeNeverHoldsThis0123456789';
  gateway = await startTestGateway({
    policy: {
      rules: [
        {
          name: 'no-payouts',
          match: { connections: ['api'], events: ['http.request'], pattern: ' /payouts/' },
          action: 'deny',
        },
      ],
    },
    connections: [
      {
        name: 'api',
        type: 'http',
        upstream: url,
        credential: 'env:VIGIL_TEST_ATTACKER3_KEY',
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

/** A request with the path exactly as written (fetch and the URL class would normalise it). */
const send = (path: string, method = 'GET', headers: Record<string, string | string[]> = {}) =>
  exchange(gateway.url, 'api', method, path, headers);

test('a path whose second decoding holds a backslash or a NUL is refused, never routed to a denied path', async () => {
  const attacks = [
    '/x/..%255Cadmin',
    '/x/..%255cadmin/users',
    '/x%255C..%255Cadmin',
    '/admin%2500',
    '/admin%2500.txt',
    '/x/..%255C..%255Cadmin%255Cusers',
  ];
  for (const path of attacks) {
    const before = seen.length;
    const res = await send(path);
    const reached = seen.slice(before);
    // What matters first: the upstream never ran the denied path with the injected credential.
    assert.deepEqual(
      reached.filter((r) => r.routed === '/admin' || r.routed.startsWith('/admin/')),
      [],
      `${path} reached the upstream as ${JSON.stringify(reached)}`,
    );
    assert.equal(res.status, 400, path);
    assert.equal(res.headers['x-vigil-error'], 'uri_malformed', path);
    assert.equal(reached.length, 0, path);
  }
});

test('a second decoding that is not valid percent-encoding, or holds nothing to refuse, still passes', async () => {
  // `%25ff` decodes once to `%ff`, which a second decoding cannot read: no reading, as before.
  for (const [path, routed] of [
    ['/files/%25ff', '(refused)'],
    ['/files/a%2520b', '/files/a b'],
  ] as const) {
    const before = seen.length;
    const res = await send(path);
    assert.equal(res.status, 200, path);
    assert.equal(seen.length, before + 1, path);
    assert.equal(seen.at(-1)!.routed, routed, path);
  }
  // And a denied path the second decoding names is still refused by the rules.
  const res = await send('/x/%252e%252e/admin');
  assert.equal(res.status, 403);
  assert.equal(res.headers['x-vigil-error'], 'policy_denied');
});

test('a path whose decoding makes a query or a fragment of what follows is judged as the path before it', async () => {
  for (const path of [
    '/admin%3F',
    '/admin%3Fx=1',
    '/admin%23',
    '/admin%253Fx',
    '/x/..%252Fadmin%2523/users',
  ]) {
    const before = seen.length;
    const res = await send(path);
    assert.deepEqual(seen.slice(before), [], `${path} reached the upstream`);
    assert.equal(res.status, 403, path);
    assert.equal(res.headers['x-vigil-error'], 'policy_denied', path);
  }
});

test('a COPY or MOVE whose Destination names a denied path is refused, and never reaches the upstream', async () => {
  const gatewayUrl = `${gateway.url}/c/api`;
  for (const [method, destination, code] of [
    ['COPY', '/admin/page', 'policy_denied'],
    ['MOVE', '/ADMIN/page', 'policy_denied'],
    ['COPY', 'http://upstream.example/public/../admin/page', 'policy_denied'],
    ['MOVE', '/public/%2e%2e/admin;x=1', 'policy_denied'],
    ['COPY', '/public/..;/admin', 'policy_denied'],
    // A pattern policy holds on paths holds the path written to as well.
    ['COPY', '/payouts/p1?x=1', 'policy_denied'],
    // One the upstream could read another way than Vigil: refused.
    ['COPY', 'page', 'uri_malformed'],
    ['COPY', '//upstream.example/admin/page', 'uri_malformed'],
    ['COPY', '/x/..%255Cadmin', 'uri_malformed'],
  ] as const) {
    const before = seen.length;
    const res = await send('/public/page', method, { destination });
    assert.deepEqual(seen.slice(before), [], `${method} to ${destination} reached the upstream`);
    assert.equal(res.headers['x-vigil-error'], code, `${method} to ${destination}`);
  }
  // Two Destination headers: Node joins them, an upstream may take either.
  const before = seen.length;
  const two = await send('/public/page', 'COPY', { destination: ['/public/copy', '/admin/page'] });
  assert.equal(two.status, 400);
  assert.equal(two.headers['x-vigil-error'], 'protocol_violation');
  assert.equal(seen.length, before);
  // A copy within what the rules allow passes, recorded with where it writes to.
  const ok = await send('/public/page', 'MOVE', { destination: `${gatewayUrl}/public/moved` });
  assert.equal(ok.status, 200);
  assert.deepEqual(seen.at(-1), {
    method: 'MOVE',
    url: '/public/page',
    routed: '/public/page',
    destination: `${gatewayUrl}/public/moved`,
  });
  const recorded = (await connectionEvents(gateway, 'api', 'http.request')).at(-1)!;
  assert.equal(recorded.payload?.method, 'MOVE');
  assert.equal(recorded.payload?.destination, '/c/api/public/moved');
});

test('every refusal above is recorded, and the ledger verifies', async () => {
  const denied = await connectionEvents(gateway, 'api', 'access.denied');
  const count = (code: string) => denied.filter((e) => JSON.stringify(e.payload).includes(code)).length;
  assert.equal(count('uri_malformed'), 6 + 3);
  assert.equal(count('protocol_violation'), 1);
  const refused = (await connectionEvents(gateway, 'api', 'http.request')).filter((e) => e.payload?.refused);
  // The connection's rules refused six request lines and five destinations; policy one destination.
  assert.equal(refused.length, 1 + 5 + 5);
  assert.equal(refused.filter((e) => typeof e.payload?.destination === 'string').length, 5);
  const decisions = await connectionEvents(gateway, 'api', 'policy.decision');
  assert.equal(decisions.filter((e) => e.payload?.rule === 'no-payouts').length, 1);
  await assertLedgerVerifies(gateway);
});
