// The official @anthropic-ai/sdk through Vigil gets what it gets directly, streaming and not.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import type { DemoModel } from '../../src/demo-model/index.js';
import { type TestGateway, TOKENS } from '../support/gateway.js';
import { type ModelClients, startAnthropicClients } from '../support/model-clients.js';

let clients: ModelClients<Anthropic>;
let model: DemoModel;
let gateway: TestGateway;
let direct: Anthropic;
let viaVigil: Anthropic;

before(async () => {
  clients = await startAnthropicClients('sk-ant-upstream-only-vigil-knows', { name: 'claude' });
  ({ model, gateway, direct, viaVigil } = clients);
});

after(() => clients?.close());

const params = {
  model: 'demo',
  max_tokens: 256,
  system: 'Be brief.',
  messages: [{ role: 'user' as const, content: 'What is a tamper-evident log?' }],
};

test('messages, not streamed: same content as direct', async () => {
  const a = await direct.messages.create(params);
  const b = await viaVigil.messages.create(params);
  assert.deepEqual(b.content, a.content);
  assert.equal(b.stop_reason, a.stop_reason);
  assert.deepEqual(b.usage, a.usage);
});

test('messages, streamed with the SDK helper: same final message as direct', async () => {
  const a = await direct.messages.stream(params).finalMessage();
  let deltas = 0;
  const stream = viaVigil.messages.stream(params).on('text', () => deltas++);
  const b = await stream.finalMessage();
  assert.deepEqual(b.content, a.content);
  assert.ok(deltas > 1, 'text arrived in several deltas');
});

test('the stream is recorded whole (choices and the message) with its time to first token, the message id and the request id', async () => {
  const stream = viaVigil.messages.stream({
    ...params,
    messages: [{ role: 'user', content: 'marker-anthropic-42' }],
  });
  const final = await stream.finalMessage();
  const requestId = (await stream.withResponse()).response.headers.get('request-id');
  const [summary] = await gateway.store.ledger.listSessions({ search: 'marker-anthropic-42' });
  const events = await gateway.store.ledger.readSession(summary!.id);
  const response = events.findLast((e) => e.type === 'llm.response')!;
  const expected = await direct.messages.create({
    ...params,
    messages: [{ role: 'user', content: 'marker-anthropic-42' }],
  });
  const choices = response.payload!.choices as { text: string; finishReason: string }[];
  assert.equal(choices[0]?.text, expected.content.map((c) => (c.type === 'text' ? c.text : '')).join(''));
  assert.equal(choices[0]?.finishReason, expected.stop_reason);
  assert.equal(typeof response.payload!.ttftMs, 'number');
  assert.match(final.id, /^msg_01[A-Za-z0-9]{22}$/);
  assert.equal(response.payload!.providerId, final.id);
  assert.ok(requestId);
  assert.equal(response.payload!.upstreamRequestId, requestId);
  assert.ok(!JSON.stringify(model.requests.map((r) => r.headers)).includes(TOKENS.alice));
  // The message the stream delivered is recorded whole, as the SDK assembled it.
  const body = response.payload!.body as {
    id: string;
    content: unknown;
    stop_reason: string;
    usage: unknown;
  };
  assert.equal(body.id, final.id);
  assert.deepEqual(body.content, final.content);
  assert.equal(body.stop_reason, final.stop_reason);
  assert.deepEqual(body.usage, final.usage);
});

test('the upstream dies mid-stream: the client gets an error, the ledger the partial response and the failure', async () => {
  const stream = viaVigil.messages.stream(
    { ...params, messages: [{ role: 'user', content: 'marker-dies-77' }] },
    { headers: { 'x-demo-fail': 'mid-stream:2' } },
  );
  let received = '';
  stream.on('text', (t) => {
    received += t;
  });
  await assert.rejects(stream.finalMessage());
  const [summary] = await gateway.store.ledger.listSessions({ search: 'marker-dies-77' });
  const response = (await gateway.store.ledger.readSession(summary!.id)).findLast(
    (e) => e.type === 'llm.response',
  )!;
  assert.equal(response.payload!.partial, true);
  assert.equal((response.payload!.error as { code: string }).code, 'upstream_failed');
  const recorded = (response.payload!.choices as { text: string }[])[0]?.text ?? '';
  assert.ok(recorded.length > 0 && recorded.startsWith(received), 'what the client saw is in the ledger');
  assert.equal((await fetch(`${gateway.url}/healthz`)).status, 200, 'the gateway stays up');
});
