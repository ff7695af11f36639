// Attacks on an `http` connection through headers by which the upstream routes, run through the
// gateway against a real upstream that routes as gunicorn does (checked against gunicorn 26.2 with
// its defaults, Vigil on the same host: a front-end proxy it trusts): a `SCRIPT_NAME` request header
// names the prefix the application is mounted under, stripped from the path before it is routed.
// `GET /x/admin/keys` with `SCRIPT_NAME: /x` was judged as `/x/admin/keys`, past a rule denying
// `/admin/**`, recorded so, and ran `/admin/keys`. The ReverseProxied recipe that Flask and Django
// applications copy does the same with `X-Script-Name`.
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
/** The path the upstream's application was handed to route, for each request it got. */
const routed: string[] = [];

/** The path as gunicorn and the ReverseProxied recipe hand it to the application. */
function applicationPath(url: string, headers: Record<string, string | string[] | undefined>): string | null {
  let path = url.split('?')[0]!;
  // gunicorn: a header named SCRIPT_NAME in any case; a path outside it is refused.
  const scriptName = headers.script_name?.toString() ?? '';
  if (scriptName !== '') {
    if (!path.startsWith(scriptName)) return null;
    path = path.slice(scriptName.length);
  }
  // The ReverseProxied recipe (Flask's snippet 35): X-Script-Name, stripped when the path starts with it.
  const prefix = headers['x-script-name']?.toString() ?? '';
  if (prefix !== '' && path.startsWith(prefix)) path = path.slice(prefix.length);
  return path;
}

before(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = applicationPath(req.url ?? '/', req.headers);
      if (path === null) {
        res.writeHead(500).end();
        return;
      }
      routed.push(path);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ routed: path }));
    });
  });
  const url = await listenOnLoopback(upstream);
  process.env.VIGIL_TEST_DEC6_ROUTING_KEY = 'sk-proj-RoutingNeverHeldByTheCaller0123456789';
  gateway = await startTestGateway({
    connections: [
      {
        name: 'api',
        type: 'http',
        upstream: url,
        credential: 'env:VIGIL_TEST_DEC6_ROUTING_KEY',
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

test('the denied path cannot be reached directly', async () => {
  const before = routed.length;
  const res = await sendThrough(gateway.url, 'api', 'GET', '/admin/keys');
  assert.equal(res.code, 'policy_denied');
  assert.equal(routed.length, before);
});

test('a header that names a mount prefix for the upstream to strip never reaches it', async () => {
  const attacks: Record<string, string>[] = [
    { SCRIPT_NAME: '/x' },
    { script_name: '/x' },
    { 'Script-Name': '/x' },
    { PATH_INFO: '/admin/keys' },
    { 'X-Script-Name': '/x' },
    { X_Script_Name: '/x' },
  ];
  for (const headers of attacks) {
    const before = routed.length;
    const res = await sendThrough(gateway.url, 'api', 'GET', '/x/admin/keys', headers);
    assert.equal(res.status, 200, JSON.stringify(headers));
    // The upstream routed the path Vigil judged and recorded, not the denied one.
    assert.deepEqual(routed.slice(before), ['/x/admin/keys'], JSON.stringify(headers));
  }
});

test('what was recorded is the path the upstream ran, and the ledger verifies', async () => {
  const requests = await connectionEvents(gateway, 'api', 'http.request');
  const forwarded = requests.filter((e) => !e.payload?.refused).map((e) => e.payload?.path);
  assert.deepEqual(forwarded, routed);
  await assertLedgerVerifies(gateway);
});
