// The official openai client through Vigil gets what it gets directly from the stand-in model,
// streaming and not, with n > 1; the upstream sees the injected key, never the client's token.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import type { DemoModel } from '../../src/demo-model/index.js';
import { type TestGateway, TOKENS } from '../support/gateway.js';
import { type ModelClients, startOpenAiClients } from '../support/model-clients.js';

const UPSTREAM_KEY = 'sk-upstream-only-vigil-knows-0001';
let clients: ModelClients<OpenAI>;
let model: DemoModel;
let gateway: TestGateway;
let direct: OpenAI;
let viaVigil: OpenAI;

before(async () => {
  clients = await startOpenAiClients(UPSTREAM_KEY, { name: 'oa', allow: ['group:ai-eng'] });
  ({ model, gateway, direct, viaVigil } = clients);
});

after(() => clients?.close());

const messages = [{ role: 'user' as const, content: 'Name three prime numbers.' }];

/** Strips what differs between two calls of the same request (ids, timestamps). */
function stable<T extends { id?: string; created?: number }>(r: T) {
  const { id: _id, created: _created, ...rest } = r;
  return rest;
}

test('chat completions with n=3, not streamed: same body as direct', async () => {
  const a = await direct.chat.completions.create({ model: 'demo', messages, n: 3 });
  const b = await viaVigil.chat.completions.create({ model: 'demo', messages, n: 3 });
  assert.equal(b.choices.length, 3);
  assert.deepEqual(stable(b), stable(a));
});

test('chat completions with n=3, streamed: same assembled text per choice as direct', async () => {
  const collect = async (client: OpenAI) => {
    const stream = await client.chat.completions.create({
      model: 'demo',
      messages,
      n: 3,
      stream: true,
      stream_options: { include_usage: true },
    });
    const texts = ['', '', ''];
    let chunks = 0;
    let usage: unknown = null;
    for await (const chunk of stream) {
      chunks++;
      for (const c of chunk.choices) texts[c.index] += c.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    return { texts, chunks, usage };
  };
  const a = await collect(direct);
  const b = await collect(viaVigil);
  assert.deepEqual(b.texts, a.texts);
  assert.equal(b.chunks, a.chunks);
  assert.deepEqual(b.usage, a.usage);
  assert.ok(b.chunks > 3, 'the stream arrives in many chunks');
});

test('completions, responses, embeddings and models pass through', async () => {
  assert.deepEqual(
    stable(await viaVigil.completions.create({ model: 'demo', prompt: 'Once upon a time', n: 2 })),
    stable(await direct.completions.create({ model: 'demo', prompt: 'Once upon a time', n: 2 })),
  );
  const r = await viaVigil.responses.create({ model: 'demo', input: 'Say hello' });
  assert.equal(
    r.output_text,
    (await direct.responses.create({ model: 'demo', input: 'Say hello' })).output_text,
  );
  const e = await viaVigil.embeddings.create({ model: 'demo-embed', input: ['a', 'b'] });
  assert.deepEqual(e.data, (await direct.embeddings.create({ model: 'demo-embed', input: ['a', 'b'] })).data);
  const models = await viaVigil.models.list();
  assert.ok(models.data.length > 0);
});

test('the upstream received the injected key and never the Vigil token', () => {
  const seen = model.requests.map((r) => JSON.stringify(r.headers));
  assert.ok(seen.length > 0);
  for (const headers of seen) {
    assert.ok(!headers.includes(TOKENS.alice), 'the Vigil token must not be forwarded');
    assert.ok(headers.includes(UPSTREAM_KEY), 'the upstream credential is injected');
  }
});

test('every prompt and response is recorded in order with the identity, streams whole with ttft', async () => {
  await viaVigil.chat.completions
    .create({ model: 'demo', messages: [{ role: 'user', content: 'marker-7781' }], stream: true, n: 2 })
    .then(async (s) => {
      for await (const _ of s);
    });
  const [summary] = await gateway.store.ledger.listSessions({ search: 'marker-7781' });
  assert.ok(summary);
  assert.equal(summary.identity.subject, 'alice');
  const events = await gateway.store.ledger.readSession(summary.id);
  const req = events.findLast((e) => e.type === 'llm.request');
  const res = events.findLast((e) => e.type === 'llm.response');
  assert.ok(req && res && res.seq > req.seq);
  assert.equal(res.payload?.stream, true);
  assert.equal(typeof res.payload?.ttftMs, 'number');
  const choices = res.payload?.choices as { index: number; text: string }[];
  assert.equal(choices.length, 2);
  const directText = await direct.chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: 'marker-7781' }],
    n: 2,
  });
  assert.deepEqual(
    choices.map((c) => c.text),
    directText.choices.map((c) => c.message.content),
  );
  assert.ok(!JSON.stringify(events).includes(UPSTREAM_KEY));
});

test("a stream is also recorded as the completion it delivered, as the SDK's stream helper assembles it", async () => {
  const stream = viaVigil.chat.completions.stream({
    model: 'demo',
    messages: [{ role: 'user', content: 'marker-7782' }],
    n: 2,
    stream_options: { include_usage: true },
  });
  const final = await stream.finalChatCompletion();
  const [summary] = await gateway.store.ledger.listSessions({ search: 'marker-7782' });
  const res = (await gateway.store.ledger.readSession(summary!.id)).findLast(
    (e) => e.type === 'llm.response',
  )!;
  const body = res.payload!.body as unknown as typeof final;
  assert.equal(body.id, final.id);
  assert.equal(body.model, final.model);
  assert.deepEqual(body.usage, final.usage);
  assert.deepEqual(
    body.choices.map((c) => [c.index, c.message.role, c.message.content, c.finish_reason]),
    final.choices.map((c) => [c.index, c.message.role, c.message.content, c.finish_reason]),
  );
});

test('upstream errors keep their status and shape through Vigil', async () => {
  await assert.rejects(
    viaVigil.chat.completions.create({ model: 'does-not-exist', messages }),
    (err: unknown) => err instanceof OpenAI.APIError && err.status === 404,
  );
});

test("the provider's ids are recorded as the client got them, not masked as bare tokens", async () => {
  // The stand-in's ids are shaped as OpenAI's are (`chatcmpl-` and 29 letters and digits, `resp_`
  // and 48 hex digits): a real completion id used to be masked as a high-entropy token.
  const chat = await viaVigil.chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: 'ids-5521' }],
  });
  const response = await viaVigil.responses.create({ model: 'demo', input: 'ids-5522' });
  assert.match(chat.id, /^chatcmpl-[A-Za-z0-9]{29}$/);
  assert.match(response.id, /^resp_[0-9a-f]{48}$/);
  // Both calls may share a session (HTTP requests of one caller are grouped): read each one's.
  const recordedIds = new Set<string | undefined>();
  for (const marker of ['ids-5521', 'ids-5522']) {
    const [summary] = await gateway.store.ledger.listSessions({ search: marker });
    assert.ok(summary, marker);
    for (const e of await gateway.store.ledger.readSession(summary.id)) {
      if (e.type === 'llm.response') recordedIds.add((e.payload?.body as { id?: string } | null)?.id);
    }
  }
  assert.ok(recordedIds.has(chat.id), `${chat.id} in ${[...recordedIds].join(', ')}`);
  assert.ok(recordedIds.has(response.id), `${response.id} in ${[...recordedIds].join(', ')}`);
});

test("each response records the provider's id and request id as the client saw them, streamed or not", async () => {
  const whole = await viaVigil.chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: 'ids-6601' }],
  });
  let streamedId = '';
  const { data: stream, response: streamResponse } = await viaVigil.chat.completions
    .create({ model: 'demo', messages: [{ role: 'user', content: 'ids-6602' }], stream: true })
    .withResponse();
  for await (const chunk of stream) streamedId ||= chunk.id;
  const streamRequestId = streamResponse.headers.get('x-request-id');
  assert.match(whole._request_id ?? '', /^req_[0-9a-f]{32}$/);
  assert.match(streamRequestId ?? '', /^req_[0-9a-f]{32}$/);
  const recorded = new Map<string, unknown>();
  for (const marker of ['ids-6601', 'ids-6602']) {
    const [summary] = await gateway.store.ledger.listSessions({ search: marker });
    for (const e of await gateway.store.ledger.readSession(summary!.id)) {
      if (e.type === 'llm.response')
        recorded.set(String(e.payload?.providerId), e.payload?.upstreamRequestId);
    }
  }
  assert.equal(recorded.get(whole.id), whole._request_id);
  assert.equal(recorded.get(streamedId), streamRequestId);
});

test('a streamed text completion is recorded as the completion the same request returns unstreamed', async () => {
  const request = { model: 'demo', prompt: 'marker-7783 Once upon a time', n: 2 };
  const stream = await viaVigil.completions.create({
    ...request,
    stream: true,
    stream_options: { include_usage: true },
  });
  const texts = ['', ''];
  for await (const chunk of stream) for (const c of chunk.choices) texts[c.index] += c.text;
  const [summary] = await gateway.store.ledger.listSessions({ search: 'marker-7783' });
  const res = (await gateway.store.ledger.readSession(summary!.id)).findLast(
    (e) => e.type === 'llm.response',
  )!;
  assert.equal(res.payload?.stream, true);
  const body = res.payload!.body as unknown as OpenAI.Completion;
  assert.deepEqual(stable(body), stable(await direct.completions.create(request)));
  assert.deepEqual(
    body.choices.map((c) => c.text),
    texts,
  );
  const choices = res.payload!.choices as { text: string; finishReason: string }[];
  assert.deepEqual(
    choices.map((c) => [c.text, c.finishReason]),
    body.choices.map((c) => [c.text, c.finish_reason]),
  );
});
