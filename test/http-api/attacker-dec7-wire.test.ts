// An attacker with a token allowed `GET /public/**`, denied `/admin/**` and `DELETE`, writing raw
// bytes to the gateway: pipelined requests after a refusal, a request smuggled in the body of a
// refused one, upgrades, chunk extensions and trailers, absolute-form and `*` targets, conflicting
// framing; and an upstream that answers with cookies, an echo of the credential, a body cut short
// and one far past the record's cap. For each, what the upstream received (logged by a real
// node:http server) is compared with what Vigil recorded.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import {
  assertLedgerVerifies,
  connectionEvents,
  startTestGateway,
  type TestGateway,
  TOKENS,
} from '../support/gateway.js';
import { type LoggingUpstream, type ReceivedRequest, startLoggingUpstream } from './logging-upstream.js';
import { rawExchange, statuses } from './raw-exchange.js';

const KEY = 'sk-wire-AttackerNeverHoldsThis0123456789abcdef';
/** An answer far past the record's cap, ending with a marker the record must not hold. */
const BIG = Buffer.concat([Buffer.alloc(3 * 1024 * 1024, 'a'), Buffer.from(' END-OF-BIG')]);

let upstream: LoggingUpstream;
let gateway: TestGateway;
let seen: ReceivedRequest[] = [];

before(async () => {
  upstream = await startLoggingUpstream((req, res) => {
    const auth = String(req.headers.authorization ?? '');
    if (req.url === '/public/echo') {
      // A debug route: sets a session cookie and echoes the credential it was sent.
      res.writeHead(200, {
        'content-type': 'application/json',
        'set-cookie': `sid=${KEY}; HttpOnly`,
        'x-echo-authorization': auth,
      });
      res.end(JSON.stringify({ authorization: auth }));
      return;
    }
    if (req.url === '/public/cut') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first part ');
      setTimeout(() => res.socket?.destroy(), 30);
      return;
    }
    if (req.url === '/public/big') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(BIG);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  }, 'latin1');
  seen = upstream.seen;
  const url = upstream.url;
  process.env.VIGIL_TEST_WIRE_KEY = KEY;
  gateway = await startTestGateway({
    connections: [
      {
        name: 'api',
        type: 'http',
        upstream: url,
        credential: 'env:VIGIL_TEST_WIRE_KEY',
        allow: ['group:ai-eng'],
        rules: [
          { methods: ['DELETE'], path: '/**', action: 'deny' },
          { path: '/admin/**', action: 'deny' },
          { methods: ['GET', 'HEAD', 'POST'], path: '/public/**', action: 'allow' },
        ],
        default_action: 'deny',
      },
    ],
  });
});

after(async () => {
  await gateway?.close();
  await upstream?.close();
});

const AUTH = `authorization: Bearer ${TOKENS.alice}\r\n`;
/** As AUTH, asking the gateway to close after its answer, so that the exchange ends with it. */
const ONCE = `${AUTH}connection: close\r\n`;
/** A request as written on the wire; `headers` are whole lines, each ending in CRLF. */
const wire = (line: string, headers = '', body = '') =>
  `${line} HTTP/1.1\r\nhost: gw\r\n${headers}\r\n${body}`;
const raw = (bytes: string | Buffer) => rawExchange(gateway.url, bytes);

/** What the upstream received while `run` ran. */
async function reaching(run: () => Promise<unknown>): Promise<typeof seen> {
  const before = seen.length;
  await run();
  return seen.slice(before);
}

test('a request pipelined after a refusal runs as itself; the refused one never reaches the upstream', async () => {
  let answer = { text: '', closed: false };
  const reached = await reaching(async () => {
    answer = await raw(
      wire('DELETE /c/api/public/x', `${AUTH}content-length: 5\r\n`, 'hello') +
        wire('GET /c/api/public/after', AUTH),
    );
  });
  assert.deepEqual(statuses(answer.text), [403, 200]);
  assert.deepEqual(
    reached.map((r) => `${r.method} ${r.url}`),
    ['GET /public/after'],
  );
});

test('a request smuggled in the body of a refused one is never run, and what follows it is', async () => {
  const smuggled = wire('GET /c/api/admin/keys', AUTH);
  for (const refused of [
    // Refused at admission, before its body was read.
    wire('POST /c/api/public/x', `content-length: ${smuggled.length}\r\n`, smuggled),
    // Refused by the rules, after.
    wire('DELETE /c/api/public/x', `${AUTH}content-length: ${smuggled.length}\r\n`, smuggled),
  ]) {
    let answer = { text: '', closed: false };
    const reached = await reaching(async () => {
      answer = await raw(refused + wire('GET /c/api/public/after', AUTH));
    });
    assert.equal(statuses(answer.text).length, 2, answer.text);
    assert.equal(statuses(answer.text)[1], 200);
    assert.deepEqual(
      reached.map((r) => `${r.method} ${r.url}`),
      ['GET /public/after'],
    );
  }
});

test('an Upgrade is forwarded as the plain request judged, and bytes after it never reach the upstream', async () => {
  for (const upgrade of [
    'connection: upgrade\r\nupgrade: websocket\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n',
    'connection: Upgrade, HTTP2-Settings\r\nupgrade: h2c\r\nhttp2-settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n',
  ]) {
    let answer = { text: '', closed: false };
    const reached = await reaching(async () => {
      answer = await raw(wire('GET /c/api/public/ws', AUTH + upgrade) + wire('DELETE /c/api/public/x', AUTH));
    });
    assert.deepEqual(statuses(answer.text), [200]);
    assert.equal(reached.length, 1);
    assert.equal(reached[0]!.url, '/public/ws');
    assert.equal(reached[0]!.headers.upgrade, undefined);
    assert.notEqual(reached[0]!.headers.connection?.toLowerCase(), 'upgrade');
  }
});

test('chunk extensions and trailers stay on the client side: a trailer cannot override the method', async () => {
  const reached = await reaching(() =>
    raw(
      wire(
        'POST /c/api/public/form',
        `${AUTH}transfer-encoding: chunked\r\ntrailer: x-http-method-override\r\n`,
        '5;ext="DELETE"\r\nhello\r\n0\r\nx-http-method-override: DELETE\r\n\r\n',
      ),
    ),
  );
  assert.equal(reached.length, 1);
  assert.equal(reached[0]!.method, 'POST');
  assert.equal(reached[0]!.body, 'hello');
  assert.equal(reached[0]!.headers['transfer-encoding'], undefined);
  assert.equal(reached[0]!.headers['x-http-method-override'], undefined);
  const recorded = (await connectionEvents(gateway, 'api', 'http.request')).at(-1)!;
  assert.equal(recorded.payload?.method, 'POST');
  assert.equal((recorded.payload?.body as { text: string } | undefined)?.text, 'hello');
});

test('request targets and framing Vigil cannot judge as the upstream would are refused, and reach nothing', async () => {
  const cases: [string, string | Buffer, number | 'closed'][] = [
    ['absolute-form naming a denied path', wire('GET http://other.example/c/api/admin/keys', ONCE), 403],
    ['absolute-form through another host', wire('GET http://127.0.0.1:1/c/api/admin', ONCE), 403],
    ['asterisk-form', wire('OPTIONS *', ONCE), 404],
    ['asterisk-form GET', wire('GET *', ONCE), 404],
    ['a lower-case method', wire('delete /c/api/public/x', ONCE), 400],
    ['TRACE', wire('TRACE /c/api/public/x', ONCE), 400],
    ['an unknown method', wire('PURGE /c/api/public/x', ONCE), 400],
    [
      'both framings',
      wire('POST /c/api/public/x', `${ONCE}content-length: 4\r\ntransfer-encoding: chunked\r\n`, '0\r\n\r\n'),
      400,
    ],
    [
      'two lengths',
      wire('POST /c/api/public/x', `${ONCE}content-length: 1\r\ncontent-length: 2\r\n`, 'ab'),
      400,
    ],
    ['CONNECT', wire('CONNECT 127.0.0.1:22', ONCE), 'closed'],
    [
      'overlong UTF-8 as raw bytes',
      Buffer.concat([
        Buffer.from('GET /c/api/public/'),
        Buffer.from([0xc0, 0xae, 0xc0, 0xae]),
        Buffer.from(`/admin HTTP/1.1\r\nhost: gw\r\n${ONCE}\r\n`),
      ]),
      400,
    ],
    ['overlong UTF-8 percent-encoded', wire('GET /c/api/public/%c0%ae%c0%ae/admin', ONCE), 400],
    ['a NUL', wire('GET /c/api/admin%00/keys', ONCE), 400],
    ['an encoded backslash', wire('GET /c/api/public/..%5cadmin', ONCE), 400],
    ['an encoded slash climbing out', wire('GET /c/api/public/..%2fadmin/keys', ONCE), 403],
    ['dot segments spelled %2e', wire('GET /c/api/public/%2e%2e/admin/keys', ONCE), 403],
    ['a parameter segment', wire('GET /c/api/public/..;/admin/keys', ONCE), 403],
    ['doubled slashes', wire('GET /c/api//admin/keys', ONCE), 403],
    ['a case-insensitive upstream', wire('GET /c/api/ADMIN/keys', ONCE), 403],
  ];
  for (const [name, bytes, expected] of cases) {
    let answer = { text: '', closed: false };
    const reached = await reaching(async () => {
      answer = await raw(bytes);
    });
    assert.deepEqual(reached, [], `${name} reached the upstream`);
    if (expected === 'closed') {
      assert.equal(answer.text, '', name);
      assert.ok(answer.closed, name);
    } else assert.equal(statuses(answer.text)[0], expected, `${name}: ${answer.text.slice(0, 200)}`);
  }
});

test('a fragment, a duplicate Host or an Expect changes nothing the upstream gets beyond what was recorded', async () => {
  const cases: [string, string, string][] = [
    ['a fragment', wire('GET /c/api/public/x#/../../admin/keys', ONCE), '/public/x'],
    ['two Host headers', wire('GET /c/api/public/host', `${ONCE}host: admin.internal\r\n`), '/public/host'],
    [
      'Expect',
      wire('POST /c/api/public/expect', `${ONCE}expect: 100-continue\r\ncontent-length: 5\r\n`, 'hello'),
      '/public/expect',
    ],
  ];
  const upstreamHost = new URL(String(gateway.config.connections[0]!.upstream)).host;
  for (const [name, bytes, path] of cases) {
    const reached = await reaching(() => raw(bytes));
    assert.equal(reached.length, 1, name);
    assert.equal(reached[0]!.url, path, name);
    assert.equal(reached[0]!.headers.host, upstreamHost, name);
    assert.equal(reached[0]!.headers.expect, undefined, name);
    const recorded = (await connectionEvents(gateway, 'api', 'http.request')).at(-1)!;
    assert.equal(recorded.payload?.path, path, name);
    assert.equal((recorded.payload?.body as { text: string } | undefined)?.text, reached[0]!.body, name);
  }
});

test("an upstream's cookie never reaches the client, nor the credential it echoes, in a header or the body", async () => {
  const answer = await raw(wire('GET /c/api/public/echo', `${AUTH}connection: close\r\n`));
  assert.deepEqual(statuses(answer.text), [200]);
  assert.doesNotMatch(answer.text, /set-cookie/i);
  assert.ok(!answer.text.includes(KEY), answer.text);
  assert.match(answer.text, /x-echo-authorization: Bearer \S+/i);
});

test('an answer cut short is cut for the client too, and recorded as partial', async () => {
  const answer = await raw(wire('GET /c/api/public/cut', AUTH));
  assert.ok(answer.closed);
  assert.match(answer.text, /first part /);
  // A chunked answer the gateway ended cleanly would end with the last chunk: the client must not
  // take a cut answer for a whole one.
  assert.doesNotMatch(answer.text, /\r\n0\r\n\r\n$/);
  const response = (await connectionEvents(gateway, 'api', 'http.response')).at(-1)!;
  assert.equal(response.payload?.partial, true);
  assert.equal((response.payload?.error as { code: string } | undefined)?.code, 'upstream_failed');
  assert.equal((response.payload?.body as { text: string } | undefined)?.text, 'first part ');
});

test('an answer far past the record cap reaches the client whole; the record keeps its hash and length', async () => {
  const answer = await raw(wire('GET /c/api/public/big', `${AUTH}connection: close\r\n`));
  assert.match(answer.text, /END-OF-BIG/);
  const response = (await connectionEvents(gateway, 'api', 'http.response')).at(-1)!;
  const body = response.payload!.body as { bytes: number; sha256: string; truncated: boolean; text: string };
  assert.equal(body.bytes, BIG.length);
  assert.equal(body.sha256, createHash('sha256').update(BIG).digest('hex'));
  assert.equal(body.truncated, true);
  assert.ok(!body.text.includes('END-OF-BIG'));
});

test('the refusals are recorded, and the ledger verifies', async () => {
  const refused = (await connectionEvents(gateway, 'api', 'http.request')).filter((e) => e.payload?.refused);
  assert.ok(refused.some((e) => e.payload?.method === 'DELETE'));
  assert.ok(refused.some((e) => e.payload?.method === 'TRACE'));
  assert.ok(refused.some((e) => e.payload?.path === '/admin/keys'));
  await assertLedgerVerifies(gateway);
});
