// Attacks on an `http` connection, each run through the gateway against a real upstream, that got a
// request past the connection's rules or the credential past the gateway: a deny rule written with
// capitals read by a case-insensitive router, a client header a CGI-style server reads as one Vigil
// sets (the injected credential, a pinned tenant), method overrides spelled as PHP, Rack and Laravel
// read them, and an upstream refusal that quotes the key in a binary body or in a header.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { dataDirFiles } from '../support/data-dir-files.js';
import {
  assertLedgerVerifies,
  connectionEvents,
  startTestGateway,
  type TestGateway,
} from '../support/gateway.js';
import { type LoggingUpstream, type ReceivedRequest, startLoggingUpstream } from './logging-upstream.js';
import { exchangeWithLength } from './send-through.js';

const KEY = 'sk-proj-AttackerNeverHoldsThis0123456789abcdefXYZ';

let upstream: LoggingUpstream;
let gateway: TestGateway;
let seen: ReceivedRequest[] = [];

before(async () => {
  upstream = await startLoggingUpstream((req, res) => {
    const key = String(req.headers['x-api-token'] ?? '');
    if (req.url === '/refuse/binary') {
      // A protobuf-style error: a tag and a length byte (not UTF-8), then the key it rejected.
      res.writeHead(401, { 'content-type': 'application/x-protobuf' });
      res.write(Buffer.concat([Buffer.from([0x08, 0x96, 0x01, 0x12, 0xc3]), Buffer.from(key.slice(0, 17))]));
      setTimeout(() => res.end(Buffer.concat([Buffer.from(key.slice(17)), Buffer.from([0xff, 0x00])])), 20);
      return;
    }
    if (req.url === '/refuse/header') {
      res.writeHead(401, {
        'content-type': 'text/plain',
        'www-authenticate': `ApiKey error="invalid_token", error_description="key ${key} revoked"`,
        'x-debug-key': key,
      });
      res.end('unauthorized');
      return;
    }
    if (req.url === '/echo/headers') {
      // An httpbin-style endpoint: a success that shows the request's headers, the key among them.
      res.writeHead(200, { 'content-type': 'application/json', 'x-echo-key': key });
      res.end(JSON.stringify({ headers: req.headers }));
      return;
    }
    if (req.url === '/echo/download') {
      // A binary success with the key cut across two writes, and again as base64.
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write(Buffer.concat([Buffer.from([0x00, 0xff, 0xfe]), Buffer.from(key.slice(0, 9))]));
      setTimeout(
        () =>
          res.end(
            Buffer.concat([
              Buffer.from(key.slice(9)),
              Buffer.from([0x01]),
              Buffer.from(Buffer.from(key).toString('base64')),
              Buffer.from([0x80, 0x00]),
            ]),
          ),
        20,
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  seen = upstream.seen;
  const url = upstream.url;
  process.env.VIGIL_TEST_ATTACKER_KEY = KEY;
  gateway = await startTestGateway({
    policy: {
      rules: [
        {
          // Written as the API's docs spell the route; the upstream's router ignores case.
          name: 'no-payouts',
          match: { connections: ['api'], events: ['http.request'], pattern: '^POST /V1/Payouts' },
          action: 'deny',
        },
      ],
    },
    connections: [
      {
        name: 'api',
        type: 'http',
        upstream: url,
        credential: 'env:VIGIL_TEST_ATTACKER_KEY',
        auth: { scheme: 'header', header: 'X-Api-Token' },
        upstream_headers: { 'X-Tenant': 'acme' },
        allow: ['group:ai-eng'],
        rules: [
          { methods: ['DELETE'], path: '/**', action: 'deny' },
          // Written as the API spells its routes (Azure: /providers/Microsoft.Compute/…).
          { path: '/providers/Microsoft.Compute/**', action: 'deny' },
        ],
      },
    ],
  });
});

after(async () => {
  await gateway?.close();
  await upstream?.close();
});

/** A request with exactly these headers (fetch would add a content-type to a string body). */
const send = (method: string, path: string, headers: Record<string, string> = {}, body = '') =>
  exchangeWithLength(gateway.url, 'api', method, path, headers, body);

test('a deny rule written with capitals holds every case spelling a case-insensitive router serves alike', async () => {
  const before = seen.length;
  for (const path of [
    '/providers/microsoft.compute/vm1',
    '/PROVIDERS/MICROSOFT.COMPUTE',
    '/Providers/microsoft.Compute/x',
  ]) {
    const res = await send('GET', path);
    assert.equal(res.status, 403, path);
    assert.equal(res.headers['x-vigil-error'], 'policy_denied');
  }
  assert.equal(seen.length, before, 'the upstream saw none of them');
  assert.equal((await send('GET', '/providers/Microsoft.Storage/x')).status, 200);
});

test('a policy pattern written with capitals holds every case spelling of the path', async () => {
  const before = seen.length;
  for (const path of ['/v1/payouts', '/V1/PAYOUTS/1', '/v1/Payouts?x=1']) {
    const res = await send('POST', path, { 'content-type': 'application/json' }, '{}');
    assert.equal(res.status, 403, path);
    assert.equal(res.headers['x-vigil-error'], 'policy_denied');
  }
  assert.equal(seen.length, before, 'the upstream saw none of them');
  assert.equal(
    (await send('POST', '/v1/payments', { 'content-type': 'application/json' }, '{}')).status,
    200,
  );
});

test('a client header a CGI-style server reads as the injected credential or a pinned header never reaches the upstream', async () => {
  const res = await send('GET', '/items', {
    X_Api_Token: 'the-clients-own-key',
    x_tenant: 'other-tenant',
    'X-Tenant': 'other-tenant',
    // Vigil reads the body as plain (it was sent without Content-Encoding): a server that reads
    // this as Content-Encoding would inflate something other than what was judged and recorded.
    Content_Encoding: 'gzip',
  });
  assert.equal(res.status, 200);
  const arrived = seen.at(-1)!;
  assert.equal(arrived.headers['x-api-token'], KEY);
  assert.equal(arrived.headers['x-tenant'], 'acme');
  for (const name of Object.keys(arrived.headers)) {
    assert.ok(!name.includes('_'), `${name} reached the upstream`);
  }
});

test('a method override spelled as PHP, Rack or Laravel reads it is refused', async () => {
  const before = seen.length;
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  for (const [path, headers, body] of [
    // PHP drops a name's leading spaces and turns `.`, ` ` and an unclosed `[` into `_` (Laravel, Symfony).
    ['/items/1?.method=DELETE', {}, ''],
    ['/items/1?%20_method=DELETE', {}, ''],
    ['/items/1?[method=DELETE', {}, ''],
    ['/items/1', form, 'a=1&.method=DELETE'],
    // Rack reads a POST without a content type as a form (Rack::MethodOverride, Rails).
    ['/items/1', {}, '_method=DELETE'],
    // Laravel reads any content type naming /json as JSON.
    ['/items/1', { 'content-type': 'text/json' }, '{"_method":"DELETE"}'],
    ['/items/1', { 'content-type': 'application/json-seq' }, '{"_method":"DELETE"}'],
    // Rack parses multipart/mixed and multipart/related bodies as forms too.
    [
      '/items/1',
      { 'content-type': 'multipart/mixed; boundary=b' },
      '--b\r\nContent-Disposition: form-data; name="_method"\r\n\r\nDELETE\r\n--b--\r\n',
    ],
    // Parsers that also split on `;` (Rack 2, Python before 3.10).
    ['/items/1?a=1;_method=DELETE', {}, ''],
  ] as const) {
    const res = await send('POST', path, headers, body);
    assert.equal(res.status, 400, `${path} ${JSON.stringify(headers)} ${body}`);
    assert.equal(res.headers['x-vigil-error'], 'method_override_refused');
  }
  assert.equal(seen.length, before, 'the upstream saw none of them');
  // Ordinary requests still pass.
  assert.equal((await send('POST', '/items/1?a=1.method', form, 'name=x&method.x=1')).status, 200);
  assert.equal((await send('POST', '/items/1', {}, 'plain text')).status, 200);
});

test('an upstream refusal quoting the key in a binary body or in a header reaches the client masked', async () => {
  const binary = await send('GET', '/refuse/binary');
  assert.equal(binary.status, 401);
  assert.ok(!binary.body.includes(KEY), `the client got the key: ${binary.body.toString('latin1')}`);
  assert.match(binary.body.toString('latin1'), /\[MASKED:[a-z-]+:[0-9a-f]{6}\]/);
  // The bytes around the key pass as they came.
  assert.deepEqual([...binary.body.subarray(0, 5)], [0x08, 0x96, 0x01, 0x12, 0xc3]);
  assert.deepEqual([...binary.body.subarray(-2)], [0xff, 0x00]);

  const header = await send('GET', '/refuse/header');
  assert.equal(header.status, 401);
  assert.ok(
    !JSON.stringify(header.headers).includes(KEY),
    `the client got the key: ${JSON.stringify(header.headers)}`,
  );
  assert.match(String(header.headers['www-authenticate']), /^ApiKey error="invalid_token"/);
  assert.equal(header.body.toString(), 'unauthorized');

  await gateway.recorder.drain();
  for (const { path, bytes } of dataDirFiles(gateway.dataDir))
    assert.ok(!bytes.includes(Buffer.from(KEY)), `${path} holds the upstream key`);
});

test('an upstream success that echoes the injected key reaches the client with the key masked', async () => {
  const echo = await send('GET', '/echo/headers', { 'x-request-id': 'r-1' });
  assert.equal(echo.status, 200);
  const shown = JSON.stringify(echo.headers) + echo.body.toString();
  assert.ok(!shown.includes(KEY), `the client got the key: ${shown}`);
  const headers = JSON.parse(echo.body.toString()).headers as Record<string, string>;
  assert.match(headers['x-api-token']!, /^\[MASKED:known-secret:[0-9a-f]{6}\]$/);
  // Everything else the API answered passes as it came.
  assert.equal(headers['x-request-id'], 'r-1');
  assert.equal(headers['x-tenant'], 'acme');

  const download = await send('GET', '/echo/download');
  assert.equal(download.status, 200);
  const bytes = download.body;
  assert.ok(!bytes.includes(Buffer.from(KEY)), `the client got the key: ${bytes.toString('latin1')}`);
  assert.ok(!bytes.includes(Buffer.from(Buffer.from(KEY).toString('base64'))), 'the client got its base64');
  assert.deepEqual([...bytes.subarray(0, 3)], [0x00, 0xff, 0xfe]);
  assert.deepEqual([...bytes.subarray(-2)], [0x80, 0x00]);
  // A body that holds no held secret passes byte for byte.
  assert.equal((await send('GET', '/items')).body.toString(), '{"ok":true}');
});

test('every refusal above is recorded, and the ledger verifies', async () => {
  const refused = (await connectionEvents(gateway, 'api', 'http.request')).filter((e) => e.payload?.refused);
  assert.equal(refused.length, 3 + 9);
  const decisions = await connectionEvents(gateway, 'api', 'policy.decision');
  assert.equal(decisions.filter((e) => e.payload?.rule === 'no-payouts').length, 3);
  await assertLedgerVerifies(gateway);
});
