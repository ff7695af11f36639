// An upstream that compresses its answer although Vigil asked for identity: a gzip body and a
// gzip event stream are decoded, recorded (masked) and delivered as plain bytes through the openai
// SDK; an encoding Vigil cannot read is refused rather than passed on unrecorded.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { brotliCompressSync, createGzip, gzipSync } from 'node:zlib';
import OpenAI from 'openai';
import type { StoredEvent } from '../../src/core/events.js';
import { assertLedgerVerifies, startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { listenOnLoopback } from '../support/loopback.js';

const KEY = 'AKIAIOSFODNN7EXAMPLE';
const TEXT = `the compressed answer names ${KEY} once`;

function completion(): string {
  return JSON.stringify({
    id: 'chatcmpl-C0mpr3ss3d0000000000000000000',
    object: 'chat.completion',
    created: 1,
    model: 'demo',
    choices: [{ index: 0, message: { role: 'assistant', content: TEXT }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  });
}

function chunk(delta: object, finish: string | null = null): string {
  const body = {
    id: 'chatcmpl-C0mpr3ss3d0000000000000000000',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'demo',
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
  return `data: ${JSON.stringify(body)}\n\n`;
}

/** 40 MiB of zeros in about 40 KB: past what Vigil lets an answer expand to. */
const BOMB = gzipSync(Buffer.alloc(40 * 1024 * 1024));

let upstream: Server;
let gateway: TestGateway;

before(async () => {
  upstream = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => {
      raw += c.toString();
    });
    req.on('end', () => {
      const body = JSON.parse(raw) as { stream?: boolean; model: string };
      if (body.model === 'bomb') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end(BOMB);
      } else if (body.model === 'zstd') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'zstd' });
        res.end(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]));
      } else if (body.model === 'br') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'br' });
        res.end(brotliCompressSync(completion()));
      } else if (!body.stream) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end(gzipSync(completion()));
      } else {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' });
        const gzip = createGzip();
        gzip.pipe(res);
        const words = TEXT.split(/(?<= )/);
        gzip.write(chunk({ role: 'assistant', content: '' }));
        for (const word of words) gzip.write(chunk({ content: word }));
        gzip.write(chunk({}, 'stop'));
        gzip.end('data: [DONE]\n\n');
      }
    });
  });
  const upstreamUrl = await listenOnLoopback(upstream);
  gateway = await startTestGateway({
    connections: [
      {
        name: 'oa',
        type: 'llm-openai',
        upstream: upstreamUrl,
        allow: ['*'],
        mask_responses: true,
      },
    ],
  });
});

after(async () => {
  await gateway?.close();
  upstream?.closeAllConnections();
  await new Promise<void>((r) => upstream?.close(() => r()));
});

const client = () => new OpenAI({ baseURL: `${gateway.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });

async function responses(): Promise<StoredEvent[]> {
  await gateway.recorder.drain();
  const sessions = await gateway.store.ledger.listSessions({ connection: 'oa', limit: 100 });
  const all = (await Promise.all(sessions.map((s) => gateway.store.ledger.readSession(s.id)))).flat();
  return all.filter((e) => e.type === 'llm.response').sort((a, b) => a.index - b.index);
}

test('a gzip or br body is decoded, recorded masked, and reaches the client plain and masked', async () => {
  for (const model of ['gzip', 'br']) {
    const before = (await responses()).length;
    const answer = await client().chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const content = answer.choices[0]?.message.content ?? '';
    assert.match(content, /^the compressed answer names \[MASKED:[^\]]+\] once$/, model);
    const recorded = (await responses()).slice(before);
    assert.equal(recorded.length, 1);
    const stored = JSON.stringify(recorded[0]!.payload);
    assert.match(stored, /the compressed answer names/, 'the answer is in the record, readable');
    assert.ok(!stored.includes(KEY), 'masked before it was stored');
  }
});

test('a gzip event stream is decoded as it arrives and recorded whole', async () => {
  const before = (await responses()).length;
  const stream = await client().chat.completions.create({
    model: 'demo',
    stream: true,
    messages: [{ role: 'user', content: 'hi' }],
  });
  let text = '';
  for await (const part of stream) text += part.choices[0]?.delta?.content ?? '';
  assert.match(text, /^the compressed answer names \[MASKED:[^\]]+\] once$/);
  const [recorded] = (await responses()).slice(before);
  assert.equal(recorded?.payload?.partial, false);
  assert.match(JSON.stringify(recorded?.payload), /the compressed answer names/);
});

test('an encoding Vigil cannot read is refused and recorded, not passed on', async () => {
  await assert.rejects(
    client().chat.completions.create({ model: 'zstd', messages: [{ role: 'user', content: 'hi' }] }),
    (err: unknown) => err instanceof OpenAI.APIError && err.status === 502,
  );
  const last = (await responses()).at(-1);
  assert.equal((last?.payload?.error as { code?: string } | null)?.code, 'upstream_failed');
});

test('an answer that decompresses to far more than it was sent as is cut off and recorded as failed', async () => {
  await assert.rejects(
    client().chat.completions.create({ model: 'bomb', messages: [{ role: 'user', content: 'hi' }] }),
    (err: unknown) => err instanceof OpenAI.APIError && err.status === 502,
  );
  const last = (await responses()).at(-1);
  assert.equal((last?.payload?.error as { code?: string } | null)?.code, 'upstream_failed');
});

test('the ledger verifies', async () => {
  await assertLedgerVerifies(gateway);
});
