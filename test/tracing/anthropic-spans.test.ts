// An Anthropic session through Vigil (the official @anthropic-ai/sdk against the stand-in model):
// its calls are GenAI spans with provider anthropic, whole and streamed, with the usage the model
// reported and the stop reasons as finish reasons.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { type OtlpReceiver, startOtlpReceiver } from './otlp-receiver.js';

const KEY = 'sk-ant-demo-trace-0004';
let model: DemoModel;
let receiver: OtlpReceiver;
let gateway: TestGateway;

before(async () => {
  model = await startDemoModel({ apiKey: KEY, chunkDelayMs: 1 });
  receiver = await startOtlpReceiver();
  process.env.VIGIL_TEST_TRACE_ANTHROPIC_KEY = KEY;
  gateway = await startTestGateway({
    sessions: { idle_timeout: '1s' },
    tracing: { otlp_endpoint: receiver.url },
    connections: [
      {
        name: 'an',
        type: 'llm-anthropic',
        upstream: model.url,
        credential: 'env:VIGIL_TEST_TRACE_ANTHROPIC_KEY',
        allow: ['*'],
      },
    ],
  });
});

after(async () => {
  await gateway?.close();
  await receiver?.close();
  await model?.close();
});

test('Anthropic messages, whole and streamed, as chat spans of provider anthropic', {
  timeout: 60_000,
}, async () => {
  const client = new Anthropic({
    baseURL: `${gateway.url}/c/an`,
    apiKey: TOKENS.alice,
    maxRetries: 0,
    defaultHeaders: { 'x-vigil-session': 'anthropic-trace' },
  });
  const request = {
    model: 'demo',
    max_tokens: 256,
    temperature: 0.2,
    messages: [{ role: 'user' as const, content: 'Name three prime numbers.' }],
  };
  const whole = await client.messages.create(request);
  const streamed = await client.messages.stream(request).finalMessage();

  await receiver.waitFor((spans) => spans.filter((s) => s.name === 'chat demo').length === 2);
  const [first, second] = receiver.spans
    .filter((s) => s.name === 'chat demo')
    .sort((a, b) => a.startMs - b.startMs);
  for (const [span, answer] of [
    [first!, whole],
    [second!, streamed],
  ] as const) {
    assert.equal(span.kind, 3);
    assert.equal(span.attributes['gen_ai.provider.name'], 'anthropic');
    assert.equal(span.attributes['gen_ai.system'], 'anthropic');
    assert.equal(span.attributes['gen_ai.operation.name'], 'chat');
    assert.equal(span.attributes['gen_ai.request.model'], 'demo');
    assert.equal(span.attributes['gen_ai.request.max_tokens'], 256);
    assert.equal(span.attributes['gen_ai.request.temperature'], 0.2);
    assert.equal(span.attributes['gen_ai.usage.input_tokens'], answer.usage.input_tokens);
    assert.equal(span.attributes['gen_ai.usage.output_tokens'], answer.usage.output_tokens);
    assert.deepEqual(span.attributes['gen_ai.response.finish_reasons'], [answer.stop_reason]);
  }
  assert.equal(first!.attributes['gen_ai.response.model'], whole.model);
  assert.equal(first!.attributes['gen_ai.response.id'], whole.id);
  assert.equal(second!.attributes['vigil.stream'], true);
  const root = receiver.spans.find((s) => s.name === 'vigil.session')!;
  assert.equal(first!.traceId, root.traceId);
  assert.equal(second!.parentSpanId, root.spanId);
});
