// Compressed bodies through an `http` connection, against an upstream that reads them the way
// Express's body-parser and method-override do: it inflates a gzip, deflate or br request body by
// itself and honours `_method` in the decoded JSON. Vigil must judge, mask and record the decoded
// body (and forward exactly that), refuse a coding it cannot read, and record a compressed answer
// as the text the client reads.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { brotliCompressSync, deflateSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import {
  assertLedgerVerifies,
  connectionEvents,
  startTestGateway,
  type TestGateway,
  TOKENS,
} from '../support/gateway.js';
import { listenOnLoopback } from '../support/loopback.js';

const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const COMPRESSED_ANSWER = { status: 'ok', aws_secret_access_key: AWS_SECRET };

interface Arrival {
  readonly method: string;
  /** The method the upstream acts as, after a `_method` in the decoded body. */
  readonly actedAs: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

let upstream: Server;
let gateway: TestGateway;
const arrivals: Arrival[] = [];

/** What the upstream makes of a body: inflated as body-parser does. */
function decoded(headers: IncomingHttpHeaders, raw: Buffer): Buffer {
  switch (headers['content-encoding']) {
    case 'gzip':
      return gunzipSync(raw);
    case 'deflate':
      return inflateSync(raw);
    default:
      return raw;
  }
}

before(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = decoded(req.headers, Buffer.concat(chunks)).toString('utf8');
      let actedAs = req.method ?? '';
      try {
        const override = (JSON.parse(body) as { _method?: unknown })._method;
        if (typeof override === 'string') actedAs = override.toUpperCase();
      } catch {}
      arrivals.push({ method: req.method ?? '', actedAs, url: req.url ?? '', headers: req.headers, body });
      if (req.url === '/compressed-answer') {
        // Compressed although the gateway asked for identity.
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end(gzipSync(JSON.stringify(COMPRESSED_ANSWER)));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ actedAs, body }));
    });
  });
  const upstreamUrl = await listenOnLoopback(upstream);
  gateway = await startTestGateway({
    connections: [
      {
        name: 'api',
        type: 'http',
        upstream: upstreamUrl,
        allow: ['group:ai-eng'],
        rules: [{ methods: ['DELETE'], path: '/**', action: 'deny' }],
      },
    ],
  });
});

after(async () => {
  await gateway?.close();
  upstream?.closeAllConnections();
  await new Promise<void>((r) => upstream?.close(() => r()));
});

const requests = (type: string) => connectionEvents(gateway, 'api', type);

function post(path: string, body: Buffer, encoding: string): Promise<Response> {
  return fetch(`${gateway.url}/c/api${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${TOKENS.alice}`,
      'content-type': 'application/json',
      'content-encoding': encoding,
    },
    body: new Uint8Array(body),
  });
}

test('a method override inside a gzip or deflate body is refused like a plain one: the upstream would inflate it', async () => {
  const before = arrivals.length;
  const json = JSON.stringify({ _method: 'DELETE' });
  for (const [encoding, body] of [
    ['gzip', gzipSync(json)],
    ['deflate', deflateSync(json)],
  ] as const) {
    const res = await post('/items/1', body, encoding);
    assert.equal(res.status, 400, encoding);
    assert.equal(res.headers.get('x-vigil-error'), 'method_override_refused');
  }
  assert.equal(arrivals.length, before, 'the upstream never saw them');
});

test('a compressed body is recorded decoded and masked, and forwarded exactly as recorded', async () => {
  const json = JSON.stringify({ note: 'rotate', aws_secret_access_key: AWS_SECRET });
  for (const [encoding, body] of [
    ['gzip', gzipSync(json)],
    ['br', brotliCompressSync(json)],
  ] as const) {
    const res = await post('/notes', body, encoding);
    assert.equal(res.status, 200, encoding);
    const arrived = arrivals.at(-1)!;
    assert.equal(arrived.body, json, 'the upstream got the decoded body');
    assert.equal(arrived.headers['content-encoding'], undefined, 'and no coding it would undo again');
    const recorded = (await requests('http.request')).at(-1)!.payload!;
    assert.equal(recorded.content_encoding, encoding);
    const text = String((recorded.body as { text: string }).text);
    assert.match(text, /"note":"rotate"/);
    assert.ok(!text.includes(AWS_SECRET), 'the secret was masked before it was recorded');
  }
});

test('a coding Vigil cannot read, or a body that is not what its coding says, is refused and recorded', async () => {
  const before = arrivals.length;
  const unknown = await post('/notes', Buffer.from('{"a":1}'), 'zstd');
  assert.equal(unknown.status, 415);
  assert.equal(unknown.headers.get('x-vigil-error'), 'body_encoding_unsupported');
  const corrupt = await post('/notes', Buffer.from('not gzip at all'), 'gzip');
  assert.equal(corrupt.status, 400);
  assert.equal(corrupt.headers.get('x-vigil-error'), 'protocol_violation');
  assert.equal(arrivals.length, before, 'nothing was forwarded');
  const denied = (await requests('access.denied')).map((e) => e.payload?.code ?? e.payload?.reason);
  assert.ok(JSON.stringify(denied).includes('body_encoding_unsupported'), JSON.stringify(denied));
});

test('a small compressed body that would expand past the body limit is refused before it is forwarded', async () => {
  const before = arrivals.length;
  const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
  assert.ok(bomb.length < 1024 * 1024);
  const res = await post('/notes', bomb, 'gzip');
  assert.equal(res.status, 413);
  assert.equal(res.headers.get('x-vigil-error'), 'body_too_large');
  assert.equal(arrivals.length, before);
});

test('an answer compressed despite accept-encoding: identity is recorded as the text the client reads', async () => {
  const res = await fetch(`${gateway.url}/c/api/compressed-answer`, {
    headers: { authorization: `Bearer ${TOKENS.alice}` },
  });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), COMPRESSED_ANSWER);
  assert.equal(arrivals.at(-1)!.headers['accept-encoding'], 'identity');
  const recorded = (await requests('http.response')).at(-1)!.payload!;
  const text = String((recorded.body as { text: string }).text);
  assert.match(text, /"status":"ok"/);
  assert.ok(!text.includes(AWS_SECRET), 'masked');
});

test('the ledger verifies', async () => {
  await assertLedgerVerifies(gateway);
});
