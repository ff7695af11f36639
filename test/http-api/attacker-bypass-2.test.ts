// More attacks on an `http` connection, each run through the gateway against a real upstream that
// records what it received. Each got a request past the connection's rules before it was fixed:
// a `_method` form field an upstream reads where Vigil did not look (a content type PHP or Rack cut
// at `,` or a space; a name PHP cuts at a NUL, Rack 2 reads without brackets, ASP.NET Core reads in
// any case; a multipart part Rack names by its Content-ID or a backslash-escaped name, or PHP by a
// name in single quotes; a multipart body without a boundary, which Rack reads as a plain form;
// Salesforce's `_HttpMethod` query parameter); a JSON body in UTF-16, whose `_method` and keys went
// unread; and a path whose format suffix Rails strips before routing (`/admin.json` is `/admin`),
// for the connection's rules and for policy patterns. An upstream could also pass its own x-vigil-*
// headers for Vigil's.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  assertLedgerVerifies,
  connectionEvents,
  startTestGateway,
  type TestGateway,
} from '../support/gateway.js';
import { type LoggingUpstream, type ReceivedRequest, startLoggingUpstream } from './logging-upstream.js';
import { exchangeWithLength } from './send-through.js';

let upstream: LoggingUpstream;
let gateway: TestGateway;
let seen: ReceivedRequest[] = [];

before(async () => {
  upstream = await startLoggingUpstream((req, res) => {
    if (req.url === '/spoof') {
      // An upstream speaking for Vigil: another session id, a refusal Vigil never made.
      res.writeHead(200, {
        'content-type': 'application/json',
        'x-vigil-session-id': 's_spoofed',
        'x-vigil-request-id': 'r_spoofed',
        'X-Vigil-Error': 'policy_denied',
      });
      res.end('{"ok":true}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  seen = upstream.seen;
  const url = upstream.url;
  process.env.VIGIL_TEST_ATTACKER2_KEY = 'sk-proj-AttackerTwoNeverHoldsThis0123456789abc';
  gateway = await startTestGateway({
    policy: {
      rules: [
        {
          // Anchored at the path's end, as a pattern naming one endpoint is.
          name: 'no-payouts',
          match: { connections: ['api'], events: ['http.request'], pattern: '^POST /v1/payouts$' },
          action: 'deny',
        },
      ],
    },
    connections: [
      {
        name: 'api',
        type: 'http',
        upstream: url,
        credential: 'env:VIGIL_TEST_ATTACKER2_KEY',
        allow: ['group:ai-eng'],
        rules: [
          { methods: ['DELETE'], path: '/**', action: 'deny' },
          { path: '/admin/**', action: 'deny' },
          { path: '/users/*/token', action: 'deny' },
        ],
      },
      {
        // Only what is named passes: a format-suffix reading the allow rules do not name must not
        // refuse the request they do name.
        name: 'strict',
        type: 'http',
        upstream: url,
        credential: 'env:VIGIL_TEST_ATTACKER2_KEY',
        allow: ['group:ai-eng'],
        rules: [{ path: '/files/*.txt', action: 'allow' }],
        default_action: 'deny',
      },
    ],
  });
});

after(async () => {
  await gateway?.close();
  await upstream?.close();
});

/** A request with exactly these headers (fetch would add a content-type to a string body). */
const send = (
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body = '',
  connection = 'api',
) => exchangeWithLength(gateway.url, connection, method, path, headers, body);

const part = (disposition: string, value: string) => `--b\r\n${disposition}\r\n\r\n${value}\r\n--b--\r\n`;

test('a _method field an upstream reads where the content type or name is spelled its way is refused', async () => {
  const before = seen.length;
  for (const [path, headers, body] of [
    // Rack reads a media type up to the first `;` or `,`, PHP up to the first `;`, `,` or space:
    // each is a form to them, and Rails (Rack::MethodOverride) and Laravel run the POST as a DELETE.
    ['/items/1', { 'content-type': 'application/x-www-form-urlencoded, text/plain' }, '_method=DELETE'],
    ['/items/1', { 'content-type': 'application/x-www-form-urlencoded charset=utf-8' }, '_method=DELETE'],
    // PHP reads a parameter name as a C string: `_method%00x` is `_method` (Laravel, Symfony).
    ['/items/1', { 'content-type': 'application/x-www-form-urlencoded' }, '_method%00x=DELETE'],
    ['/items/1?_method%00=DELETE', {}, ''],
    // Rack 2 reads a name with brackets around it (or trailing) as the name: `[_method]` is
    // `_method` (Rails 5 to 7.0).
    ['/items/1', { 'content-type': 'application/x-www-form-urlencoded' }, '%5B_method%5D=DELETE'],
    [
      '/items/1',
      { 'content-type': 'multipart/form-data; boundary=b' },
      part('Content-Disposition: form-data; name="]]_method]"', 'DELETE'),
    ],
    // ASP.NET Core's method-override middleware reads its form field ignoring case.
    ['/items/1', { 'content-type': 'application/x-www-form-urlencoded' }, '_METHOD=DELETE'],
    // Salesforce's REST API honours `_HttpMethod` in the query.
    ['/services/data/v60.0/sobjects/Account/001?_HttpMethod=DELETE', {}, ''],
    // Rack names a part without a Content-Disposition name by its Content-ID.
    [
      '/items/1',
      { 'content-type': 'multipart/form-data; boundary=b' },
      part('Content-ID: _method', 'DELETE'),
    ],
    // Rack undoes backslash escapes in a quoted name; PHP reads a name in single quotes.
    [
      '/items/1',
      { 'content-type': 'multipart/form-data; boundary=b' },
      part('Content-Disposition: form-data; name="\\_meth\\od"', 'DELETE'),
    ],
    [
      '/items/1',
      { 'content-type': 'multipart/form-data; boundary=b' },
      part("Content-Disposition: form-data; name='_method'", 'DELETE'),
    ],
    // A multipart body with no boundary is read by Rack as a plain form.
    ['/items/1', { 'content-type': 'multipart/form-data' }, '_method=DELETE'],
  ] as const) {
    const res = await send('POST', path, headers, body);
    assert.equal(res.status, 400, `${path} ${JSON.stringify(headers)} ${JSON.stringify(body)}: ${res.body}`);
    assert.equal(res.headers['x-vigil-error'], 'method_override_refused');
  }
  assert.equal(seen.length, before, `the upstream saw ${JSON.stringify(seen.slice(before))}`);
  // Ordinary forms and uploads still pass.
  const form = { 'content-type': 'application/x-www-form-urlencoded, text/plain' };
  assert.equal((await send('POST', '/items/1', form, 'payment_method=card&method=x')).status, 200);
  const upload = { 'content-type': 'multipart/form-data; boundary=b' };
  const fields = `--b\r\nContent-Disposition: form-data; name="payment_method"\r\nContent-ID: <a@b>\r\n\r\ncard\r\n--b--\r\n`;
  assert.equal((await send('POST', '/items/1', upload, fields)).status, 200);
});

test('a path Rails routes as a denied one once its format suffix is stripped is refused', async () => {
  const before = seen.length;
  // Rails routes `/admin(.:format)`: `/admin.json` runs the action `/admin` names.
  for (const path of ['/admin.json', '/ADMIN.html', '/users/7/token.json', '/admin.', '/admin.json/']) {
    const res = await send('GET', path);
    assert.equal(res.status, 403, `${path}: ${res.body}`);
    assert.equal(res.headers['x-vigil-error'], 'policy_denied');
  }
  assert.equal(seen.length, before, `the upstream saw ${JSON.stringify(seen.slice(before))}`);
  // Names that merely start like a denied one, or carry a dot elsewhere, pass.
  for (const path of ['/administrator.json', '/users/7/tokens.json', '/v1.2/admin', '/users/7.json']) {
    assert.equal((await send('GET', path)).status, 200, path);
  }
  // A policy pattern anchored at the path's end holds the suffixed spelling too.
  const beforePolicy = seen.length;
  for (const path of ['/v1/payouts', '/v1/payouts.json', '/V1/Payouts.xml/']) {
    const res = await send('POST', path);
    assert.equal(res.status, 403, `${path}: ${res.body}`);
    assert.equal(res.headers['x-vigil-error'], 'policy_denied');
  }
  assert.equal(seen.length, beforePolicy, `the upstream saw ${JSON.stringify(seen.slice(beforePolicy))}`);
  assert.equal((await send('POST', '/v1/payouts/1/cancel.json')).status, 200);
  // An allow rule naming the suffix admits it under a default deny.
  assert.equal((await send('GET', '/files/notes.txt', {}, '', 'strict')).status, 200);
  assert.equal((await send('GET', '/files/notes', {}, '', 'strict')).status, 403);
});

/** A body as raw bytes (`send` takes text). */
const sendBytes = (path: string, contentType: string, body: Buffer) =>
  exchangeWithLength(gateway.url, 'api', 'POST', path, { 'content-type': contentType }, body);

const utf16be = (s: string) => Buffer.from(s, 'utf16le').swap16();

test('a JSON body in UTF-16 or behind a byte-order mark is judged and recorded as the upstream decodes it', async () => {
  const before = seen.length;
  // Express's body-parser decodes a JSON body in any UTF charset and drops a byte-order mark; a
  // method-override getter reading req.body._method would run these POSTs as DELETEs.
  for (const [type, body] of [
    ['application/json', Buffer.from('\uFEFF{"_method":"DELETE"}')],
    ['application/json; charset=utf-16le', Buffer.from('{"_method":"DELETE"}', 'utf16le')],
    ['application/json; charset="UTF-16BE"', utf16be('{"_method":"DELETE"}')],
  ] as const) {
    const res = await sendBytes('/items/1', type, body);
    assert.equal(res.status, 400, `${type}: ${res.body}`);
    assert.equal(res.headers['x-vigil-error'], 'method_override_refused');
  }
  // A charset Vigil cannot decode is refused, not judged unread.
  const utf32 = await sendBytes('/items/1', 'application/json; charset=utf-32', Buffer.alloc(8));
  assert.equal(utf32.status, 415);
  assert.equal(utf32.headers['x-vigil-error'], 'body_encoding_unsupported');
  assert.equal(seen.length, before, `the upstream saw ${JSON.stringify(seen.slice(before))}`);

  // A key in a UTF-16 body is recorded masked; the body is forwarded as it was sent.
  const key = 'AKIAIOSFODNN7EXAMPLE';
  const json = JSON.stringify({ note: 'rotate', key });
  const ok = await sendBytes('/items/2', 'application/json; charset=utf-16le', Buffer.from(json, 'utf16le'));
  assert.equal(ok.status, 200);
  assert.equal(seen.at(-1)!.body, Buffer.from(json, 'utf16le').toString('utf8'));
  const recorded = (await connectionEvents(gateway, 'api', 'http.request')).at(-1)!;
  const text = (recorded.payload!.body as { text: string }).text;
  assert.ok(!text.replaceAll('\u0000', '').includes(key), `the key was recorded: ${JSON.stringify(text)}`);
  assert.match(text, /^\{"note":"rotate","key":"\[MASKED:/);
});

test("an upstream's x-vigil-* headers never reach the client: Vigil's own say what was recorded", async () => {
  const res = await send('GET', '/spoof');
  assert.equal(res.status, 200);
  assert.equal(res.headers['x-vigil-error'], undefined);
  const recorded = (await connectionEvents(gateway, 'api', 'http.request')).at(-1)!;
  assert.equal(recorded.payload?.path, '/spoof');
  assert.equal(res.headers['x-vigil-session-id'], recorded.sessionId);
  assert.equal(res.headers['x-vigil-request-id'], recorded.payload?.request_id);
});

test('every refusal above is recorded, and the ledger verifies', async () => {
  const refused = (await connectionEvents(gateway, 'api', 'http.request')).filter((e) => e.payload?.refused);
  assert.equal(refused.length, 12 + 5 + 3);
  const decisions = await connectionEvents(gateway, 'api', 'policy.decision');
  assert.equal(decisions.filter((e) => e.payload?.rule === 'no-payouts').length, 3);
  const denied = await connectionEvents(gateway, 'api', 'access.denied');
  assert.ok(denied.some((e) => JSON.stringify(e.payload).includes('body_encoding_unsupported')));
  await assertLedgerVerifies(gateway);
});
