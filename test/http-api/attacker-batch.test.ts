// An attack on an `http` connection in front of an API with a batch endpoint, run through the
// gateway against a real upstream that runs the requests a batch carries, as Microsoft Graph and
// OData (`$batch`), Salesforce (`composite`), Facebook (a `batch` form field) and Google (a multipart
// body of `application/http` parts) do, each with the credential Vigil injected. The rules judged the
// batch's own path only, so a `POST /v1.0/$batch` they allow ran a `DELETE` under a path they deny
// (until 6 December).
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
/** Every request the upstream ran, batched ones included, as `METHOD /path`. */
const ran: string[] = [];

/** The requests a batch body carries, as the APIs above read them; relative URLs under `root`. */
function innerRequests(root: string, contentType: string, body: string): string[] {
  if (contentType.startsWith('multipart/')) {
    return [...body.matchAll(/^([A-Z]+) (\/\S*) HTTP\/1\.1\r?$/gm)].map((m) => `${m[1]} ${m[2]}`);
  }
  const form = new URLSearchParams(body).get('batch');
  const parsed = JSON.parse(form ?? body) as Record<string, unknown> | unknown[];
  const list = Array.isArray(parsed)
    ? parsed
    : ((parsed.requests ?? parsed.compositeRequest ?? []) as unknown[]);
  return (list as { method: string; url?: string; relative_url?: string }[]).map((r) => {
    const url = r.url ?? r.relative_url ?? '';
    return `${r.method.toUpperCase()} ${url.startsWith(root) ? url : `${root}/${url.replace(/^\//, '')}`}`;
  });
}

before(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      ran.push(`${req.method} ${path}`);
      if (path.endsWith('/$batch') || path.endsWith('/composite') || path === '/batch' || path === '/') {
        const root =
          path.endsWith('/composite') || path === '/batch' || path === '/' ? '' : path.slice(0, -7);
        ran.push(...innerRequests(root, req.headers['content-type'] ?? '', Buffer.concat(chunks).toString()));
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"responses":[]}');
    });
  });
  const url = await listenOnLoopback(upstream);
  process.env.VIGIL_TEST_BATCH_KEY = 'graph-eyJ0eXAiOiJKV1QiLCJub25jZSI6IkFCQ0RFRkdISUpLTE1O';
  const connection = {
    type: 'http',
    upstream: url,
    credential: 'env:VIGIL_TEST_BATCH_KEY',
    allow: ['group:ai-eng'],
    rules: [
      { path: '/admin/**', action: 'deny' },
      { path: '/v1.0/admin/**', action: 'deny' },
    ],
  };
  gateway = await startTestGateway({
    connections: [
      { name: 'graph', ...connection },
      // An operator who accepts what a batch runs, judged by the batch's own path.
      { name: 'trusted', ...connection, batch_requests_forwarded: true },
    ],
  });
});

after(async () => {
  await gateway?.close();
  upstream?.closeAllConnections();
  await new Promise<void>((r) => upstream?.close(() => r()));
});

const send = (connection: string, method: string, path: string, contentType: string | null, body: string) =>
  sendThrough(
    gateway.url,
    connection,
    method,
    path,
    contentType === null ? {} : { 'content-type': contentType },
    body,
  );

const graphBatch = JSON.stringify({
  requests: [{ id: '1', method: 'DELETE', url: '/admin/users/42' }],
});
const googleBatch = [
  '--b1',
  'Content-Type: application/http',
  'Content-ID: <1>',
  '',
  'DELETE /admin/keys/7 HTTP/1.1',
  '',
  '--b1--',
  '',
].join('\r\n');

const attacks: [string, string | null, string, string][] = [
  ['/v1.0/$batch', 'application/json', graphBatch, 'DELETE /v1.0/admin/users/42'],
  // Graph binds JSON ignoring case; the key is read so too.
  [
    '/v1.0/$batch',
    'application/json',
    graphBatch.replace('requests', 'Requests'),
    'DELETE /v1.0/admin/users/42',
  ],
  [
    '/services/data/v58.0/composite',
    'application/json',
    JSON.stringify({
      compositeRequest: [{ method: 'DELETE', url: '/admin/records/9', referenceId: 'r' }],
    }),
    'DELETE /admin/records/9',
  ],
  [
    '/',
    'application/x-www-form-urlencoded',
    `batch=${encodeURIComponent(JSON.stringify([{ method: 'DELETE', relative_url: 'admin/pages/3' }]))}`,
    'DELETE /admin/pages/3',
  ],
  ['/batch', 'multipart/mixed; boundary=b1', googleBatch, 'DELETE /admin/keys/7'],
];

test('a denied path cannot be reached directly', async () => {
  const res = await send('graph', 'DELETE', '/v1.0/admin/users/42', null, '');
  assert.equal(res.status, 403);
  assert.equal(res.code, 'policy_denied');
});

test('a batch body that would run a request under a denied path is refused, and nothing inside runs', async () => {
  for (const [path, type, body, inner] of attacks) {
    const before = ran.length;
    const res = await send('graph', 'POST', path, type, body);
    assert.ok(!ran.slice(before).includes(inner), `${inner} ran through ${path}`);
    assert.deepEqual(ran.slice(before), [], `${path} reached the upstream`);
    assert.equal(res.status, 400, `${path}: ${res.body}`);
    assert.equal(res.code, 'batch_refused', path);
  }
});

test('bodies that carry no requests pass: a list of messages is not a batch', async () => {
  // Anthropic's message batches name no method or URL per entry: the upstream runs one endpoint.
  const body = JSON.stringify({ requests: [{ custom_id: 'a', params: { model: 'm', messages: [] } }] });
  assert.equal((await send('graph', 'POST', '/v1/messages/batches', 'application/json', body)).status, 200);
  assert.equal((await send('graph', 'POST', '/v1.0/users', 'application/json', '{"name":"x"}')).status, 200);
});

test('a connection that forwards batches runs them, judged by the batch path', async () => {
  const before = ran.length;
  const res = await send('trusted', 'POST', '/v1.0/$batch', 'application/json', graphBatch);
  assert.equal(res.status, 200, res.body);
  assert.ok(ran.slice(before).includes('DELETE /v1.0/admin/users/42'));
});

test('the refusals are recorded with what made the body a batch, and the ledger verifies', async () => {
  const refused = (await connectionEvents(gateway, 'graph', 'http.request')).filter(
    (e) => e.payload?.refused && e.payload?.batch,
  );
  assert.equal(refused.length, attacks.length, JSON.stringify(refused.map((e) => e.payload?.batch)));
  await assertLedgerVerifies(gateway);
});
