// An upstream that frames its answer with `Transfer-Encoding: gzip, chunked` (valid HTTP/1.1, which
// undici de-chunks but leaves compressed, with no Content-Encoding to say so), run through the
// gateway against a real upstream written at the socket level, since node:http never sends one.
// The compressed bytes hid the credential an upstream echoed from the masker, and the client could
// gunzip them by hand: until 7 December the injected key reached it so.
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  assertLedgerVerifies,
  connectionEvents,
  startTestGateway,
  type TestGateway,
} from '../support/gateway.js';
import { exchange } from './send-through.js';

const KEY = 'sk-te-AttackerNeverHoldsThis0123456789abcdef';

/** Answers each request with its path's framing, echoing the credential the request carried. */
function answer(socket: Socket, head: string): void {
  const path = head.split(' ')[1] ?? '/';
  const auth = /^authorization: (.*)$/im.exec(head)?.[1]?.trim() ?? '';
  const body = Buffer.from(JSON.stringify({ echo: auth }));
  const codings =
    path === '/gzip' ? 'gzip, chunked' : path === '/deflate' ? 'deflate;q=1, chunked' : 'chunked';
  const payload = path === '/gzip' ? gzipSync(body) : path === '/deflate' ? gzipSync(body) : body;
  socket.write(
    `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: ${codings}\r\nconnection: close\r\n\r\n`,
  );
  socket.write(`${payload.length.toString(16)}\r\n`);
  socket.write(payload);
  socket.end('\r\n0\r\n\r\n');
}

let upstream: Server;
let gateway: TestGateway;
const seen: string[] = [];

before(async () => {
  upstream = createServer((socket) => {
    let head = '';
    socket.on('data', (c: Buffer) => {
      head += c.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      seen.push(head.split('\r\n', 1)[0]!);
      answer(socket, head);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const { port } = upstream.address() as { port: number };
  process.env.VIGIL_TEST_TE_KEY = KEY;
  gateway = await startTestGateway({
    connections: [
      {
        name: 'api',
        type: 'http',
        upstream: `http://127.0.0.1:${port}`,
        credential: 'env:VIGIL_TEST_TE_KEY',
        allow: ['group:ai-eng'],
      },
    ],
  });
});

after(async () => {
  await gateway?.close();
  await new Promise<void>((r) => upstream?.close(() => r()));
});

/** The body as the client can read it, gunzipped by hand when it is gzip. */
function readable(body: Buffer): string {
  try {
    return gunzipSync(body).toString('utf8');
  } catch {
    return body.toString('utf8');
  }
}

test('an answer with a transfer coding besides chunked is refused: the echoed key never reaches the client', async () => {
  for (const path of ['/gzip', '/deflate']) {
    const res = await exchange(gateway.url, 'api', 'GET', path);
    assert.ok(!readable(res.body).includes(KEY), `${path}: the client read the key`);
    assert.equal(res.status, 502, path);
    assert.equal(res.headers['x-vigil-error'], 'upstream_failed', path);
    const response = (await connectionEvents(gateway, 'api', 'http.response')).at(-1)!;
    assert.equal(response.payload?.status, 200);
    assert.equal((response.payload?.error as { code: string } | undefined)?.code, 'upstream_failed');
  }
  assert.deepEqual(seen, ['GET /gzip HTTP/1.1', 'GET /deflate HTTP/1.1']);
});

test('a plain chunked answer passes, with the echoed key masked', async () => {
  const res = await exchange(gateway.url, 'api', 'GET', '/plain');
  assert.equal(res.status, 200);
  const text = res.body.toString('utf8');
  assert.match(text, /"echo":"Bearer \S+"/);
  assert.ok(!text.includes(KEY));
  await assertLedgerVerifies(gateway);
});
