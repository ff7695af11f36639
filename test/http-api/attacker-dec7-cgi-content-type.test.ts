// A client header a CGI-style server reads as the body's content type, run through the gateway
// against a real upstream that builds its environment as Puma before 6.4.3 does (each header name
// upper-cased, dashes as underscores, `CONTENT_TYPE` without the `HTTP_` prefix, a later header
// replacing an earlier one) and honours Rack::MethodOverride, as Rails does. Vigil read the body by
// `Content-Type` alone: `Content-Type: application/octet-stream` and `Content_Type:
// application/x-www-form-urlencoded` with `_method=DELETE` passed a rule denying DELETE, was recorded
// as a POST of an opaque body, and ran as a DELETE (until 7 December).
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import {
  assertLedgerVerifies,
  connectionEvents,
  startTestGateway,
  type TestGateway,
} from '../support/gateway.js';
import { listenOnLoopback } from '../support/loopback.js';
import { exchangeWithLength } from './send-through.js';

/** The Rack environment's headers as such a server builds them, in the order they came. */
function rackEnv(req: IncomingMessage): Record<string, string> {
  const env: Record<string, string> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const key = req.rawHeaders[i]!.toUpperCase().replaceAll('-', '_');
    env[key === 'CONTENT_TYPE' || key === 'CONTENT_LENGTH' ? key : `HTTP_${key}`] = req.rawHeaders[i + 1]!;
  }
  return env;
}

/** The method Rack::MethodOverride runs a request as. */
function methodRun(method: string, env: Record<string, string>, body: string): string {
  if (method !== 'POST') return method;
  const type = (env.CONTENT_TYPE ?? '').split(';', 1)[0]!.trim().toLowerCase();
  const form = type === '' || type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data';
  const override =
    (form ? new URLSearchParams(body).get('_method') : null) ?? env.HTTP_X_HTTP_METHOD_OVERRIDE;
  return override ? override.toUpperCase() : method;
}

let upstream: Server;
let gateway: TestGateway;
const ran: { method: string; url: string; contentType: string | undefined }[] = [];

before(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const env = rackEnv(req);
      const body = Buffer.concat(chunks).toString('utf8');
      ran.push({
        method: methodRun(req.method ?? '', env, body),
        url: req.url ?? '',
        contentType: env.CONTENT_TYPE,
      });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  const url = await listenOnLoopback(upstream);
  process.env.VIGIL_TEST_CGI_TYPE_KEY = 'sk-cgi-type-AttackerNeverHoldsThis0123456789';
  gateway = await startTestGateway({
    connections: [
      {
        name: 'api',
        type: 'http',
        upstream: url,
        credential: 'env:VIGIL_TEST_CGI_TYPE_KEY',
        allow: ['group:ai-eng'],
        rules: [
          { methods: ['DELETE'], path: '/**', action: 'deny' },
          { path: '/admin/**', action: 'deny' },
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

const post = (headers: Record<string, string>, body: string) =>
  exchangeWithLength(gateway.url, 'api', 'POST', '/public/items/1', headers, body);

test('a header a CGI-style server reads as the content type never reaches it: no DELETE runs', async () => {
  for (const spelling of ['Content_Type', 'content_type', 'CONTENT_TYPE']) {
    const before = ran.length;
    const res = await post(
      { 'content-type': 'application/octet-stream', [spelling]: 'application/x-www-form-urlencoded' },
      '_method=DELETE',
    );
    const reached = ran.slice(before);
    assert.deepEqual(
      reached.filter((r) => r.method !== 'POST'),
      [],
      `${spelling}: the upstream ran ${JSON.stringify(reached)}`,
    );
    // Forwarded as what was judged: a POST of an opaque body, with the content type recorded.
    assert.equal(res.status, 200, spelling);
    assert.equal(reached[0]!.contentType, 'application/octet-stream', spelling);
    const recorded = (await connectionEvents(gateway, 'api', 'http.request')).at(-1)!;
    assert.equal(recorded.payload?.method, 'POST');
    assert.equal(recorded.payload?.content_type, 'application/octet-stream');
  }
});

test('with no Content-Type, the form an upstream reads is judged as one: the override is refused', async () => {
  const before = ran.length;
  const res = await post({ Content_Type: 'application/x-www-form-urlencoded' }, '_method=DELETE');
  assert.equal(res.headers['x-vigil-error'], 'method_override_refused');
  assert.equal(ran.length, before);
});

test('a plain form POST passes with its content type, and the ledger verifies', async () => {
  const before = ran.length;
  const res = await post({ 'content-type': 'application/x-www-form-urlencoded' }, 'name=widget');
  assert.equal(res.status, 200);
  assert.deepEqual(ran.slice(before), [
    { method: 'POST', url: '/public/items/1', contentType: 'application/x-www-form-urlencoded' },
  ]);
  await assertLedgerVerifies(gateway);
});
