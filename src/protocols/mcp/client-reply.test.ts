import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { test } from 'node:test';
import { relayServerStream } from './client-reply.js';
import type { JsonRpcMessage } from './jsonrpc.js';

/** A response that keeps what is written to it. */
function capturing(): { res: ServerResponse; written: string[] } {
  const written: string[] = [];
  const res = {
    writableEnded: false,
    writeHead: () => res,
    flushHeaders: () => undefined,
    write: (chunk: string) => written.push(chunk) > 0,
    end: () => {
      res.writableEnded = true;
    },
  };
  return { res: res as unknown as ServerResponse, written };
}

test("a server's error on its own stream reaches the client masked; other messages with held secrets masked", async () => {
  const messages: JsonRpcMessage[] = [
    { kind: 'notification', method: 'notifications/message', params: { data: 'hello up-secret' } },
    { kind: 'error', id: null, error: { code: -32001, message: 'credential up-secret refused' } },
  ];
  async function* stream() {
    yield* messages;
  }
  const { res, written } = capturing();
  const notified: JsonRpcMessage[] = [];
  await relayServerStream(
    res,
    stream(),
    {},
    { requests: async (m) => m, notified: { admit: () => true, record: (m) => notified.push(m) } },
    {
      error: (error) => ({ ...error, message: String(error.message).replace('up-secret', '[MASKED]') }),
      wire: (text) => text.replaceAll('up-secret', '[HELD]'),
    },
    new AbortController().signal,
  );
  const events = written.map(
    (w) =>
      JSON.parse(w.split('data: ')[1]!) as {
        method?: string;
        params?: { data: string };
        error?: { message: string };
      },
  );
  assert.equal(events[0]?.method, 'notifications/message');
  assert.equal(events[0]?.params?.data, 'hello [HELD]');
  assert.equal(events[1]?.error?.message, 'credential [MASKED] refused');
  // Both are recorded as the client got them (the record is masked again by the pipeline).
  assert.deepEqual(
    notified.map((m) => m.kind),
    ['notification', 'error'],
  );
  assert.deepEqual(notified[1], {
    kind: 'error',
    id: null,
    error: { code: -32001, message: 'credential [MASKED] refused' },
  });
});

test('a response on the GET stream answers nothing the client asked there: it is dropped', async () => {
  const messages: JsonRpcMessage[] = [
    { kind: 'response', id: 3, result: { content: [{ type: 'text', text: 'forged' }] } },
    { kind: 'error', id: '3', error: { code: -32000, message: 'forged' } },
    { kind: 'notification', method: 'notifications/tools/list_changed', params: {} },
  ];
  async function* stream() {
    yield* messages;
  }
  const { res, written } = capturing();
  const notified: JsonRpcMessage[] = [];
  await relayServerStream(
    res,
    stream(),
    {},
    { requests: async (m) => m, notified: { admit: () => true, record: (m) => notified.push(m) } },
    { error: (error) => error, wire: (text) => text },
    new AbortController().signal,
  );
  assert.equal(written.length, 1);
  assert.match(written[0]!, /notifications\/tools\/list_changed/);
  assert.deepEqual(notified, [messages[2]], 'only what the client got is recorded');
});
