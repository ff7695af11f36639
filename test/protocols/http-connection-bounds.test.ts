// The bounds of the gateway's HTTP listener (server/http-listen.ts, listeners.http_*): past
// `http_max_connections` a new connection is closed at once, counted in
// vigil_http_connections_refused_total and logged once per burst, and the gateway serves again once
// the flood is gone; a connection that sends nothing, or its headers too slowly, is closed after
// `http_headers_timeout`; a model's answer streamed for longer than `http_request_timeout` (and
// with silences longer than the headers timeout) is not cut, as that timeout ends once the request
// is in. Until 6 December the listener took any number of connections and kept a silent one for as
// long as its client liked. Real sockets against a real gateway with an OpenAI connection to a
// scripted upstream, and against a bare node:http server with the same bounds for the log.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { listenersSectionSchema } from '../../src/core/listeners-config.js';
import { GatewayMetrics } from '../../src/metrics/gateway-metrics.js';
import { boundHttpConnections, httpServerTimeouts } from '../../src/server/http-listen.js';
import { sampleValue, scrape } from '../metrics/scrape.js';
import { TOKENS } from '../support/gateway.js';
import { chatChunk, type ScriptedChat, startScriptedChat } from '../support/scripted-upstream.js';

const MAX = 8;
const PAUSE_MS = 1500;
let chat: ScriptedChat;

before(async () => {
  chat = await startScriptedChat(
    (_request, res) => {
      // Four chunks PAUSE_MS apart: 4.5 s in all, past the 1 s request and headers timeouts.
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let sent = 0;
      const next = () => {
        res.write(chatChunk({ content: `part${sent} ` }));
        if (++sent < 4) setTimeout(next, PAUSE_MS);
        else res.end(`${chatChunk({}, 'stop')}data: [DONE]\n\n`);
      };
      next();
    },
    {},
    {
      listeners: { http_max_connections: MAX, http_headers_timeout: '1s', http_request_timeout: '1s' },
      metrics: { enabled: true },
    },
  );
});
after(() => chat.close());

/** A raw connection to the gateway's HTTP port, and when (ms after it opened) it was closed, if it was. */
async function open(port: number): Promise<{ socket: Socket; closed: Promise<number>; said: () => string }> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => undefined);
  let said = '';
  socket.on('data', (b: Buffer) => {
    said += b.toString();
  });
  const at = Date.now();
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - at)));
  await new Promise<void>((resolve) => {
    socket.once('connect', resolve);
    socket.once('close', () => resolve());
  });
  return { socket, closed, said: () => said };
}

function within<T>(p: Promise<T>, ms: number): Promise<T | 'still open'> {
  return Promise.race([p, new Promise<'still open'>((r) => setTimeout(() => r('still open'), ms).unref())]);
}

test('past http_max_connections a connection is closed at once; once the flood is gone the gateway serves', {
  timeout: 30_000,
}, async () => {
  const port = chat.gateway.port;
  const held = [];
  for (let i = 0; i < MAX; i++) held.push(await open(port));
  try {
    const over = await Promise.all(Array.from({ length: 40 }, () => open(port)));
    for (const c of over) {
      const closed = await within(c.closed, 500);
      assert.notEqual(closed, 'still open', 'a connection past the cap was kept');
      assert.equal(c.said(), '');
    }
    // The held ones are still open: the cap closed only the new ones.
    assert.equal(
      held.some((c) => c.socket.destroyed),
      false,
    );
  } finally {
    for (const c of held) c.socket.destroy();
  }
  // Once the flood has gone, a new client is served, and the refusals were counted.
  let metrics: Awaited<ReturnType<typeof scrape>> | undefined;
  for (let i = 0; i < 50 && !metrics; i++) {
    metrics = await scrape(chat.gateway.url, TOKENS.alice).catch(() => undefined);
    if (!metrics) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(metrics, 'the gateway did not serve again');
  assert.ok(sampleValue(metrics, 'vigil_http_connections_refused_total') >= 40);
  const answer = await chat.client.chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: 'hi' }],
  });
  assert.ok(answer);
});

test('a connection that sends nothing, or its headers too slowly, is closed after http_headers_timeout', {
  timeout: 30_000,
}, async () => {
  const port = chat.gateway.port;
  const silent = await open(port);
  const slow = await open(port);
  slow.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
  const drip = setInterval(() => slow.socket.writable && slow.socket.write('X-Slow: 1\r\n'), 200);
  try {
    // Timeout 1 s, checked every half second by Node; generous bounds for a loaded machine.
    const silentAfter = await within(silent.closed, 6000);
    const slowAfter = await within(slow.closed, 6000);
    assert.notEqual(silentAfter, 'still open', 'a silent connection was kept');
    assert.notEqual(slowAfter, 'still open', 'a connection dripping its headers was kept');
    assert.ok((silentAfter as number) >= 900, `closed after ${silentAfter} ms`);
  } finally {
    clearInterval(drip);
    silent.socket.destroy();
    slow.socket.destroy();
  }
});

test('a streamed answer outlasting http_request_timeout, with silences past the headers timeout, is not cut', {
  timeout: 30_000,
}, async () => {
  const stream = await chat.client.chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: 'stream' }],
    stream: true,
  });
  let text = '';
  const started = Date.now();
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  assert.equal(text, 'part0 part1 part2 part3 ');
  assert.ok(Date.now() - started >= 3 * PAUSE_MS - 100);
});

test('a burst of connections closed over the cap is one line in the log, and each is counted', {
  timeout: 30_000,
}, async () => {
  const warnings: { obj: Record<string, unknown>; msg: string }[] = [];
  const logger = {
    warn: (obj: object, msg: string) => warnings.push({ obj: obj as Record<string, unknown>, msg }),
  };
  const limits = listenersSectionSchema.parse({ http_max_connections: 2, http_headers_timeout: '1s' });
  const metrics = new GatewayMetrics();
  const server = createServer(httpServerTimeouts(limits), (_req, res) => res.end('ok'));
  const stop = boundHttpConnections(server, limits, logger, metrics);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    const held = [await open(port), await open(port)];
    const over = await Promise.all(Array.from({ length: 5 }, () => open(port)));
    for (const c of over) assert.notEqual(await within(c.closed, 500), 'still open');
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.equal(warnings[0]!.obj.code, 'too_many_connections');
    assert.equal(warnings[0]!.obj.http_max_connections, 2);
    const text = (await metrics.exposition()).body;
    assert.match(text, /^vigil_http_connections_refused_total 5$/m);
    for (const c of held) c.socket.destroy();
  } finally {
    stop();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
