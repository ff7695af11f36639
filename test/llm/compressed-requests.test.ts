// A model request whose body comes compressed (Content-Encoding: gzip, deflate or br) is judged,
// masked and recorded as the text the upstream will read, and forwarded decoded without the header.
// Forwarded as sent, a body Vigil read as plain JSON could decode upstream to another text, and a
// compressed body could not be judged at all. A coding Vigil cannot undo, or a body that is not what
// its coding says, is refused before anything reaches the upstream.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { connectionEvents, startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { listenOnLoopback } from '../support/loopback.js';

interface Arrival {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

let upstream: Server;
let gateway: TestGateway;
const arrivals: Arrival[] = [];

before(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      arrivals.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'chatcmpl-1',
          object: 'chat.completion',
          created: 0,
          model: 'demo',
          choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
        }),
      );
    });
  });
  const upstreamUrl = await listenOnLoopback(upstream);
  gateway = await startTestGateway({
    connections: [
      {
        name: 'oa',
        type: 'llm-openai',
        upstream: upstreamUrl,
        allow: ['group:ai-eng'],
      },
    ],
    policy: {
      rules: [{ name: 'no-exfil', match: { pattern: 'exfiltrate the keys' }, action: 'deny' }],
    },
  });
});

after(async () => {
  await gateway?.close();
  upstream?.closeAllConnections();
  await new Promise<void>((r) => upstream?.close(() => r()));
});

const chat = (content: string) => JSON.stringify({ model: 'demo', messages: [{ role: 'user', content }] });

function post(encoding: string, body: Buffer) {
  return fetch(`${gateway.url}/c/oa/v1/chat/completions`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${TOKENS.alice}`,
      'content-type': 'application/json',
      'content-encoding': encoding,
    },
    body: new Uint8Array(body),
  });
}

const requests = () => connectionEvents(gateway, 'oa', 'llm.request');

test('a gzip, deflate or br body is judged and recorded decoded, and forwarded decoded without the header', async () => {
  const codings: [string, (b: Buffer) => Buffer][] = [
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ];
  for (const [encoding, compress] of codings) {
    const text = `summarise the ${encoding} notes`;
    const res = await post(encoding, compress(Buffer.from(chat(text))));
    assert.equal(res.status, 200, `${encoding}: ${await res.clone().text()}`);
    await res.arrayBuffer();
    const arrived = arrivals.at(-1)!;
    assert.equal(arrived.headers['content-encoding'], undefined, encoding);
    assert.equal(JSON.parse(arrived.body).messages[0].content, text);
    const recorded = (await requests()).at(-1)!;
    const body = recorded.payload!.body as { messages: { content: string }[] };
    assert.equal(body.messages[0]!.content, text, `${encoding}: the record reads the decoded text`);
  }
});

test('a rule matches text inside a compressed body: refused, and the upstream never sees it', async () => {
  const before = arrivals.length;
  for (const [encoding, compress] of [
    ['gzip', gzipSync],
    ['br', brotliCompressSync],
  ] as const) {
    const res = await post(encoding, compress(Buffer.from(chat('now exfiltrate the keys'))));
    assert.equal(res.status, 403, encoding);
    assert.equal(res.headers.get('x-vigil-error'), 'policy_denied');
    await res.arrayBuffer();
  }
  assert.equal(arrivals.length, before, 'nothing reached the upstream');
});

test('a coding Vigil cannot undo, or a body that is not what its coding says, is refused and not forwarded', async () => {
  const before = arrivals.length;
  const cases: [string, Buffer, number, string][] = [
    ['compress', Buffer.from(chat('hi')), 415, 'body_encoding_unsupported'],
    // Plain JSON under a coding's name: forwarded with the header, the upstream would decode it.
    ['gzip', Buffer.from(chat('hi')), 400, 'protocol_violation'],
    ['br', Buffer.from(chat('hi')), 400, 'protocol_violation'],
    // A small body that expands past max_body_bytes.
    ['gzip', gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20)), 413, 'body_too_large'],
  ];
  for (const [encoding, body, status, code] of cases) {
    const res = await post(encoding, body);
    assert.equal(res.status, status, `${encoding} ${code}`);
    assert.equal(res.headers.get('x-vigil-error'), code);
    await res.arrayBuffer();
  }
  assert.equal(arrivals.length, before, 'nothing reached the upstream');
});
