// An `http` connection in front of real HTTP servers: the stand-in model's own API (a GET, and a
// streamed POST through the official openai client) and a plain Node server that shows what
// arrived. The upstream credential is injected, the client's token never reaches the upstream, a
// denied path never reaches it, responses stream through unbuffered, and bodies are recorded
// masked, capped, and binary ones by hash.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import {
  assertLedgerVerifies,
  connectionEvents,
  startTestGateway,
  type TestGateway,
  TOKENS,
} from '../support/gateway.js';
import { listenOnLoopback } from '../support/loopback.js';

const MODEL_KEY = 'sk-upstream-http-api-0123456789';
const ECHO_KEY = 'echo-secret-0123456789';
const AWS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';

let model: DemoModel;
let echo: Server;
let echoUrl: string;
let gateway: TestGateway;
const seen: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];
/** Released by the test once the client holds the first streamed chunk. */
let releaseRest: () => void = () => undefined;

before(async () => {
  model = await startDemoModel({ host: '127.0.0.1', port: 0, apiKey: MODEL_KEY });
  echo = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    if (req.url === '/binary') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(Buffer.from([0, 1, 2, 255, 254]));
      return;
    }
    if (req.url === '/slow-stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n');
      releaseRest = () => res.end('data: rest\n\n');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ method: req.method, url: req.url, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
  });
  echoUrl = await listenOnLoopback(echo);
  process.env.VIGIL_TEST_HTTP_MODEL_KEY = MODEL_KEY;
  process.env.VIGIL_TEST_HTTP_ECHO_KEY = ECHO_KEY;
  gateway = await startTestGateway({
    connections: [
      {
        name: 'model-api',
        type: 'http',
        upstream: model.url,
        credential: 'env:VIGIL_TEST_HTTP_MODEL_KEY',
        allow: ['group:ai-eng'],
      },
      {
        name: 'echo',
        type: 'http',
        upstream: echoUrl,
        credential: 'env:VIGIL_TEST_HTTP_ECHO_KEY',
        auth: { scheme: 'header', header: 'X-Echo-Key' },
        allow: ['group:ai-eng'],
        rules: [
          { methods: ['DELETE'], path: '/**', action: 'deny' },
          { path: '/admin/**', action: 'deny' },
          { methods: ['GET'], path: '/exports/**', action: 'deny' },
        ],
        record_body_bytes: 64,
      },
    ],
    policy: {
      rules: [
        {
          name: 'no-csv-exports',
          match: { connections: ['echo'], events: ['http.request'], pattern: 'format=csv' },
          action: 'deny',
        },
        {
          name: 'review-payments',
          match: { connections: ['echo'], events: ['http.request'], pattern: '^POST /payments' },
          action: 'review',
          reason: 'payments are reviewed',
          review: { approvers: ['group:security'], timeout: '2m' },
        },
      ],
    },
  });
});

after(async () => {
  await gateway?.close();
  await model?.close();
  echo?.closeAllConnections();
  await new Promise<void>((r) => echo?.close(() => r()));
});

const events = (connection: string, type: string) => connectionEvents(gateway, connection, type);

function call(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${gateway.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${TOKENS.alice}`, ...(init.headers as Record<string, string>) },
  });
}

test('a GET through the connection equals the direct answer, with the credential injected', async () => {
  const via = await call('/c/model-api/v1/models');
  const direct = await fetch(`${model.url}/v1/models`, { headers: { authorization: `Bearer ${MODEL_KEY}` } });
  assert.equal(via.status, 200);
  assert.deepEqual(await via.json(), await direct.json());
  const requests = await events('model-api', 'http.request');
  assert.equal(requests.at(-1)?.payload?.path, '/v1/models');
  const responses = await events('model-api', 'http.response');
  assert.equal(responses.at(-1)?.payload?.status, 200);
});

test('a streamed POST through the official openai client arrives as a stream', async () => {
  const client = new OpenAI({
    baseURL: `${gateway.url}/c/model-api/v1`,
    apiKey: TOKENS.alice,
    maxRetries: 0,
  });
  const stream = await client.chat.completions.create({
    model: 'demo',
    stream: true,
    messages: [{ role: 'user', content: 'count to three' }],
  });
  let chunks = 0;
  let text = '';
  for await (const chunk of stream) {
    chunks++;
    text += chunk.choices[0]?.delta?.content ?? '';
  }
  assert.ok(chunks > 1 && text.length > 0);
  const response = (await events('model-api', 'http.response')).at(-1)!;
  assert.match(String(response.payload?.content_type), /^text\/event-stream/);
  assert.match(String((response.payload!.body as { text: string }).text), /data: /);
});

test('the client token never reaches the upstream; the upstream credential does, in its header', async () => {
  const res = await call('/c/echo/items?limit=2', {
    headers: { 'x-api-key': TOKENS.alice, cookie: `vigil=${TOKENS.alice}`, 'x-vigil-session': 'run-1' },
  });
  assert.equal(res.status, 200);
  const last = seen.at(-1)!;
  assert.equal(last.url, '/items?limit=2');
  assert.equal(last.headers['x-echo-key'], ECHO_KEY);
  assert.ok(!JSON.stringify(last.headers).includes(TOKENS.alice));
  assert.equal(last.headers.authorization, undefined);
  assert.equal(last.headers['x-vigil-session'], undefined);
});

test('denied methods and paths never reach the upstream, however the path is spelled', async () => {
  const before = seen.length;
  for (const [method, path] of [
    ['GET', '/c/echo/admin/users'],
    ['GET', '/c/echo/x/../admin/users'],
    ['GET', '/c/echo/%61dmin/users'],
    ['GET', '/c/echo/public/%2e%2e/admin/users'],
    // Readings some upstreams make: case-insensitive routes, Tomcat's `;` parameters, merged
    // slashes, a second decoding, no strict trailing slash.
    ['GET', '/c/echo/ADMIN/users'],
    ['GET', '/c/echo/public/..;/admin/users'],
    ['GET', '/c/echo//admin/users'],
    ['GET', '/c/echo/%2561dmin/users'],
    ['GET', '/c/echo/admin'],
    ['DELETE', '/c/echo/items/1'],
    // Upstreams run the GET handler for a HEAD.
    ['HEAD', '/c/echo/exports/all'],
  ] as const) {
    const res = await call(path, { method });
    assert.equal(res.status, 403, `${method} ${path}`);
    assert.equal(res.headers.get('x-vigil-error'), 'policy_denied');
  }
  assert.equal(seen.length, before, 'the upstream saw none of them');
  const refused = (await events('echo', 'http.request')).filter(
    (e) => e.payload?.refused === 'policy_denied',
  );
  assert.equal(refused.length, 11);
});

test('a client cannot name another URL or origin for the upstream to route by (X-Original-URL, X-Forwarded-*)', async () => {
  const res = await call('/c/echo/public/page', {
    headers: {
      'X-Original-URL': '/admin/users',
      'X-Rewrite-URL': '/admin/users',
      'X-Forwarded-For': '10.0.0.1',
      'X-Forwarded-Host': 'internal.example',
      Forwarded: 'for=10.0.0.1',
      'X-Real-IP': '10.0.0.1',
      // A CGI-style server (WSGI, Rack, PHP) reads these as the dashed names above.
      X_Original_URL: '/admin/users',
      X_Forwarded_For: '10.0.0.2',
    },
  });
  assert.equal(res.status, 200);
  const arrived = seen.at(-1)!;
  assert.equal(arrived.url, '/public/page');
  for (const name of [
    'x-original-url',
    'x-rewrite-url',
    'x-forwarded-for',
    'x-forwarded-host',
    'forwarded',
    'x-real-ip',
    'x_original_url',
    'x_forwarded_for',
  ]) {
    assert.equal(arrived.headers[name], undefined, `${name} reached the upstream`);
  }
});

test('a method override (header, _method in the query or body) is refused: the rules could not judge it', async () => {
  const before = seen.length;
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const json = { 'content-type': 'application/json' };
  const multipart = { 'content-type': 'multipart/form-data; boundary=b' };
  for (const [path, init] of [
    ['/c/echo/items/1', { method: 'POST', headers: { 'X-HTTP-Method-Override': 'DELETE' } }],
    ['/c/echo/items/1', { method: 'POST', headers: { 'x-http-method': 'delete' } }],
    ['/c/echo/items/1', { method: 'GET', headers: { 'X-Method-Override': 'DELETE' } }],
    // A CGI-style server reads X_HTTP_METHOD_OVERRIDE as X-HTTP-Method-Override (HTTP_X_HTTP_METHOD_OVERRIDE).
    ['/c/echo/items/1', { method: 'POST', headers: { X_HTTP_Method_Override: 'DELETE' } }],
    ['/c/echo/items/1?_method=DELETE', { method: 'POST' }],
    ['/c/echo/items/1?%5Fmethod=delete', { method: 'POST' }],
    ['/c/echo/items/1', { method: 'POST', headers: form, body: 'a=1&_method=DELETE' }],
    ['/c/echo/items/1', { method: 'POST', headers: json, body: '{"_method":"DELETE"}' }],
    [
      '/c/echo/items/1',
      {
        method: 'POST',
        headers: multipart,
        body: '--b\r\nContent-Disposition: form-data; name="_method"\r\n\r\nDELETE\r\n--b--\r\n',
      },
    ],
  ] as const) {
    const res = await call(path, init as RequestInit);
    assert.equal(res.status, 400, `${path} ${JSON.stringify(init)}`);
    assert.equal(res.headers.get('x-vigil-error'), 'method_override_refused');
  }
  assert.equal(seen.length, before, 'the upstream saw none of them');
  const refused = (await events('echo', 'http.request')).filter(
    (e) => e.payload?.refused === 'method_override_refused',
  );
  assert.equal(refused.length, 9, 'each refusal is recorded');
  // Naming the method actually sent is no override, and the methods themselves go through.
  const same = await call('/c/echo/items/1', {
    method: 'POST',
    headers: { 'X-HTTP-Method-Override': 'post' },
  });
  assert.equal(same.status, 200);
  const patch = await call('/c/echo/items/1', { method: 'PATCH', headers: json, body: '{"name":"x"}' });
  assert.equal(patch.status, 200);
  assert.equal(seen.length, before + 2);
});

test('a policy pattern on a query value holds its percent-escaped spellings', async () => {
  const before = seen.length;
  for (const query of ['format=csv', 'format=%63sv', 'format=%63%73%76']) {
    const res = await call(`/c/echo/export?${query}`);
    assert.equal(res.status, 403, query);
    assert.equal(res.headers.get('x-vigil-error'), 'policy_denied');
  }
  assert.equal(seen.length, before, 'the upstream saw none of them');
  assert.equal((await call('/c/echo/export?format=json')).status, 200);
});

test('a policy review on a path also holds the other spellings an upstream may route alike', async () => {
  const before = seen.length;
  const held = call('/c/echo/PAYMENTS/2', { method: 'POST', body: 'x' });
  let pending: { id: string }[] = [];
  for (let i = 0; i < 200 && pending.length === 0; i++) {
    pending = (await gateway.store.approvals.listApprovals({ status: 'pending' })).filter((a) =>
      /PAYMENTS/.test(JSON.stringify(a)),
    );
    if (pending.length === 0) await new Promise((r) => setTimeout(r, 25));
  }
  assert.equal(pending.length, 1, 'held for review');
  assert.equal(seen.length, before, 'the upstream has not seen it');
  const denied = await fetch(`${gateway.url}/api/approvals/${pending[0]!.id}/deny`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.audrey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'not today' }),
  });
  assert.equal(denied.status, 200);
  assert.equal((await held).status, 403);
  assert.equal(seen.length, before, 'nor after the denial');
});

test('bodies are recorded masked and capped; binary ones by hash', async () => {
  const body = JSON.stringify({ key: AWS_KEY_ID, padding: 'p'.repeat(200) });
  const res = await call('/c/echo/upload', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  assert.equal(((await res.json()) as { body: string }).body, body, 'the upstream got the body unchanged');
  const request = (await events('echo', 'http.request')).at(-1)!;
  const recorded = request.payload!.body as { text: string; truncated: boolean; bytes: number };
  assert.equal(recorded.truncated, true);
  assert.equal(recorded.bytes, Buffer.byteLength(body));
  assert.ok(!JSON.stringify(request.payload).includes(AWS_KEY_ID), 'the secret was masked before recording');

  const bin = await call('/c/echo/binary');
  assert.deepEqual(Buffer.from(await bin.arrayBuffer()), Buffer.from([0, 1, 2, 255, 254]));
  const response = (await events('echo', 'http.response')).at(-1)!;
  const b = response.payload!.body as { binary: boolean; sha256: string; bytes: number };
  assert.equal(b.binary, true);
  assert.equal(b.bytes, 5);
  assert.equal(
    b.sha256,
    createHash('sha256')
      .update(Buffer.from([0, 1, 2, 255, 254]))
      .digest('hex'),
  );
});

test('a streamed response is passed on before the upstream has finished it', async () => {
  const res = await call('/c/echo/slow-stream');
  const reader = res.body!.getReader();
  const first = await reader.read();
  // The upstream has not written the rest yet: only an unbuffered relay can have delivered this.
  assert.match(Buffer.from(first.value!).toString('utf8'), /data: first/);
  releaseRest();
  let rest = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    rest += Buffer.from(value).toString('utf8');
  }
  assert.match(rest, /data: rest/);
});

test('a reviewed request waits for approval, then is forwarded exactly as approved', async () => {
  const before = seen.length;
  const pending = call('/c/echo/payments', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"amount":10}',
  });
  let held: { id: string; actionDigest: string | null } | undefined;
  for (let i = 0; i < 400 && !held; i++) {
    held = (await gateway.store.approvals.listApprovals({ status: 'pending' }))[0];
    if (!held) await new Promise((r) => setTimeout(r, 25));
  }
  assert.ok(held, 'the request is held');
  assert.match(String(held.actionDigest), /^[0-9a-f]{64}$/);
  assert.equal(seen.length, before, 'nothing reached the upstream while held');
  const decided = await fetch(`${gateway.url}/api/approvals/${held.id}/approve`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.audrey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'expected payment' }),
  });
  assert.equal(decided.status, 200);
  const res = await pending;
  assert.equal(res.status, 200);
  assert.equal(((await res.json()) as { body: string }).body, '{"amount":10}');
  assert.equal(seen.length, before + 1);
});

test('without a Vigil token: refused and recorded, nothing forwarded', async () => {
  const before = seen.length;
  const res = await fetch(`${gateway.url}/c/echo/items`);
  assert.equal(res.status, 401);
  assert.equal(seen.length, before);
});

test('the ledger verifies', async () => {
  await assertLedgerVerifies(gateway);
});
