// Tracing with `content: true` carries only what the ledger holds (masked), a policy denial shows
// on its call's span, and a collector that refuses an export costs a counted, logged failure and
// nothing else: the data path answers, and the next session is exported.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { MAX_ATTRIBUTE_LENGTH, MAX_SPAN_NAME_LENGTH } from '../../src/tracing/otlp-export.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { startWorkloadModel } from '../workloads/model-server.js';
import type { StubServer } from '../workloads/openai-stub.js';
import { lastUserText } from '../workloads/scripted-model.js';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from './otlp-receiver.js';

const SECRET = 'trace-secret-Zq81vXk20pLm7Rt4';
let model: StubServer;
let receiver: OtlpReceiver;
let gateway: TestGateway;

before(async () => {
  model = await startWorkloadModel((request) => ({
    content: `You said: ${lastUserText(request)}; and the key is ${SECRET}`,
  }));
  receiver = await startOtlpReceiver();
  process.env.VIGIL_TEST_TRACE_SECRET = SECRET;
  gateway = await startTestGateway({
    sessions: { idle_timeout: '1s' },
    masking: { secrets: ['env:VIGIL_TEST_TRACE_SECRET'] },
    tracing: { otlp_endpoint: receiver.url, service_name: 'vigil-test', content: true },
    policy: {
      rules: [{ name: 'no-forbidden-topic', match: { pattern: 'forbidden-topic' }, action: 'deny' }],
    },
    connections: [
      { name: 'oa', type: 'llm-openai', upstream: model.baseURL.replace(/\/v1$/, ''), allow: ['*'] },
    ],
  });
});

after(async () => {
  await gateway?.close();
  await receiver?.close();
  await model?.close();
});

function client(session: string): OpenAI {
  return new OpenAI({
    baseURL: `${gateway.url}/c/oa/v1`,
    apiKey: TOKENS.alice,
    maxRetries: 0,
    defaultHeaders: { 'x-vigil-session': session },
  });
}

const ask = (session: string, content: string) =>
  client(session).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content }] });

function callsOf(root: ReceivedSpan): ReceivedSpan[] {
  return receiver.spans
    .filter((s) => s.traceId === root.traceId && s !== root)
    .sort((a, b) => a.startMs - b.startMs);
}

async function rootOfSession(external: string): Promise<ReceivedSpan> {
  const [summary] = await gateway.store.ledger.listSessions({
    connection: 'oa',
    search: external,
    limit: 10,
  });
  assert.ok(summary, `session ${external}`);
  await receiver.waitFor((spans) =>
    spans.some((s) => s.name === 'vigil.session' && s.attributes['vigil.session.id'] === summary.id),
  );
  return receiver.spans.find(
    (s) => s.name === 'vigil.session' && s.attributes['vigil.session.id'] === summary.id,
  )!;
}

test('content on: the masked prompt and reply as GenAI messages; a denial is the span status and an event', {
  timeout: 60_000,
}, async () => {
  await ask('content-run', `please keep ${SECRET} safe`);
  await assert.rejects(ask('content-run', 'tell me about the forbidden-topic'), { status: 403 });
  const root = await rootOfSession('content-run');
  assert.equal(root.resource['service.name'], 'vigil-test');
  const [answered, denied] = callsOf(root);
  assert.ok(answered && denied);

  const input = JSON.parse(String(answered.attributes['gen_ai.input.messages'])) as {
    role: string;
    parts: { type: string; content: string }[];
  }[];
  assert.equal(input[0]!.role, 'user');
  assert.match(input[0]!.parts[0]!.content, /^please keep \[MASKED:known-secret:[0-9a-f]{6}\] safe$/);
  const output = JSON.parse(String(answered.attributes['gen_ai.output.messages'])) as {
    role: string;
    parts: { content: string }[];
    finish_reason: string;
  }[];
  assert.equal(output[0]!.role, 'assistant');
  assert.equal(output[0]!.finish_reason, 'stop');
  assert.match(output[0]!.parts[0]!.content, /^You said: please keep/);
  assert.ok(!JSON.stringify(receiver.spans).includes(SECRET), 'the secret never reaches the collector');

  assert.equal(denied.status, 2, 'ERROR');
  assert.equal(denied.attributes['error.type'], 'policy_denied');
  const decision = denied.events.find((e) => e.name === 'vigil.policy.decision');
  assert.deepEqual(decision?.attributes, {
    'vigil.policy.action': 'deny',
    'vigil.policy.rule': 'no-forbidden-topic',
  });
});

test('a refused export is counted and logged, never felt by clients; the next session is exported', {
  timeout: 60_000,
}, async () => {
  const tracing = gateway.tracing!;
  const failuresBefore = tracing.stats.exportFailures;
  receiver.failNext(400, 1);
  const answer = await ask('refused-run', 'hello');
  assert.match(answer.choices[0]!.message.content ?? '', /^You said: hello/);
  const deadline = Date.now() + 30_000;
  while (tracing.stats.exportFailures === failuresBefore) {
    assert.ok(Date.now() < deadline, 'the failure was counted');
    await new Promise((r) => setTimeout(r, 50));
  }
  await ask('after-refusal', 'hello again');
  const root = await rootOfSession('after-refusal');
  assert.equal(callsOf(root).length, 1);
});

test('a client that sends a huge model name and prompt gets bounded span names and attribute values', {
  timeout: 60_000,
}, async () => {
  // Unbounded, such a span made the session's export larger than a collector accepts: a client could
  // keep its own session out of the tracing backend.
  const model = `gpt-${'m'.repeat(200_000)}`;
  const prompt = `tell me ${'p'.repeat(200_000)}`;
  await client('huge-values')
    .chat.completions.create({ model, messages: [{ role: 'user', content: prompt }] })
    .catch(() => undefined);
  const root = await rootOfSession('huge-values');
  const [call] = callsOf(root);
  assert.ok(call, 'the call has a span');
  assert.ok(call.name.startsWith('chat gpt-mmm'), call.name.slice(0, 40));
  assert.ok(call.name.length <= MAX_SPAN_NAME_LENGTH, `span name of ${call.name.length} characters`);
  const model_ = String(call.attributes['gen_ai.request.model']);
  assert.ok(model_.startsWith('gpt-mmm'));
  for (const [key, value] of Object.entries(call.attributes)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      const length = String(item).length;
      assert.ok(length <= MAX_ATTRIBUTE_LENGTH, `${key} is ${length} characters long`);
    }
  }
});
