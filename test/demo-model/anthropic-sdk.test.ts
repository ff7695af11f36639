// The stand-in model driven by the official @anthropic-ai/sdk: messages whole and streamed (the
// SDK's stream helper and the raw event sequence), tool use, count_tokens, models, errors.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';

const KEY = 'sk-ant-demo-test-0003';
let model: DemoModel;
let client: Anthropic;

before(async () => {
  model = await startDemoModel({
    apiKey: KEY,
    chunkDelayMs: 1,
    respond: (p) =>
      p.lastUserText === 'overload'
        ? { error: { status: 529, message: 'Overloaded' } }
        : p.lastUserText === 'cut me'
          ? { text: 'alpha beta gamma delta', fail: { kind: 'mid-stream', afterChunks: 2 } }
          : null,
  });
  client = new Anthropic({ baseURL: model.url, apiKey: KEY, maxRetries: 0 });
});

after(() => model.close());

const request = {
  model: 'demo',
  max_tokens: 256,
  system: 'You are terse.',
  messages: [{ role: 'user' as const, content: 'Name three prime numbers.' }],
};

test('messages: whole and streamed (finalMessage) agree; the upstream got x-api-key and anthropic-version', async () => {
  const whole = await client.messages.create(request);
  assert.equal(whole.type, 'message');
  assert.equal(whole.role, 'assistant');
  assert.equal(whole.stop_reason, 'end_turn');
  const block = whole.content[0];
  assert.ok(block && block.type === 'text');
  assert.match(block.text, /Name three prime numbers\./);
  assert.ok(whole.usage.input_tokens > 0 && whole.usage.output_tokens > 0);

  const streamed = await client.messages.stream(request).finalMessage();
  assert.deepEqual(streamed.content, whole.content);
  assert.equal(streamed.stop_reason, whole.stop_reason);
  assert.equal(streamed.usage.output_tokens, whole.usage.output_tokens);

  const headers = model.requests.at(-1)!.headers;
  assert.equal(headers['x-api-key'], KEY);
  assert.ok(headers['anthropic-version']);
});

test('the raw stream follows the documented event sequence', async () => {
  const stream = await client.messages.create({ ...request, stream: true });
  const types: string[] = [];
  let text = '';
  for await (const event of stream) {
    types.push(event.type);
    if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
  }
  const deltas = types.filter((t) => t === 'content_block_delta').length;
  assert.ok(deltas > 1);
  assert.deepEqual(types, [
    'message_start',
    'content_block_start',
    // the SDK drops `ping` (its placement is checked at the byte level in sse-wire.test.ts)
    ...Array<string>(deltas).fill('content_block_delta'),
    'content_block_stop',
    'message_delta',
    'message_stop',
  ]);
  const whole = await client.messages.create(request);
  assert.equal(text, (whole.content[0] as { text: string }).text);
});

test('max_tokens cuts the reply: stop_reason max_tokens', async () => {
  const r = await client.messages.create({ ...request, max_tokens: 2 });
  assert.equal(r.stop_reason, 'max_tokens');
  assert.equal(r.usage.output_tokens, 2);
});

test('tool use: input_json_delta assembles to the same input as the whole answer', async () => {
  const tools: Anthropic.Tool[] = [
    {
      name: 'get_weather',
      description: 'Weather for a city',
      input_schema: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } } },
    },
  ];
  const ask = { ...request, tools, messages: [{ role: 'user' as const, content: 'Weather in Rome?' }] };
  const whole = await client.messages.create(ask);
  assert.equal(whole.stop_reason, 'tool_use');
  const use = whole.content.find((b) => b.type === 'tool_use');
  assert.ok(use && use.type === 'tool_use');
  assert.equal(use.name, 'get_weather');
  assert.deepEqual(Object.keys(use.input as object).sort(), ['city', 'days']);

  let jsonDeltas = 0;
  const stream = client.messages.stream(ask).on('inputJson', () => jsonDeltas++);
  const streamed = await stream.finalMessage();
  assert.ok(jsonDeltas > 1);
  assert.deepEqual(streamed.content, whole.content);

  const after = await client.messages.create({
    ...ask,
    messages: [
      ...ask.messages,
      { role: 'assistant', content: whole.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'rainy, 14C' }] },
    ],
  });
  assert.equal(after.stop_reason, 'end_turn');
  assert.match((after.content[0] as { text: string }).text, /rainy, 14C/);
});

test('count_tokens and models', async () => {
  const count = await client.messages.countTokens({
    model: 'demo',
    messages: request.messages,
    system: request.system,
  });
  const whole = await client.messages.create(request);
  assert.equal(count.input_tokens, whole.usage.input_tokens);
  const models = await client.models.list();
  assert.ok(models.data.some((m) => m.id === 'demo' && m.type === 'model'));
  assert.equal((await client.models.retrieve('demo-claude')).id, 'demo-claude');
});

test('errors in Anthropic shape surface as the SDK typed errors', async () => {
  await assert.rejects(
    client.messages.create({ ...request, messages: [{ role: 'user', content: 'overload' }] }),
    (err: unknown) =>
      err instanceof Anthropic.APIError &&
      err.status === 529 &&
      (err.error as { error?: { type?: string } }).error?.type === 'overloaded_error',
  );
  const wrong = new Anthropic({ baseURL: model.url, apiKey: 'nope', maxRetries: 0 });
  await assert.rejects(wrong.messages.create(request), Anthropic.AuthenticationError);
  await assert.rejects(
    client.messages.create({ model: 'demo', messages: request.messages } as never),
    (err: unknown) => err instanceof Anthropic.BadRequestError && /max_tokens/.test(err.message),
  );
  await assert.rejects(
    client.messages.create({ ...request, model: 'claude-unknown' }),
    Anthropic.NotFoundError,
  );
  const raw = await fetch(`${model.url}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  assert.equal(raw.status, 400, 'anthropic-version is required');
  assert.equal(((await raw.json()) as { type: string }).type, 'error');
});

test('death mid-stream: finalMessage rejects after the first deltas; the request is recorded as failed', async () => {
  const before = model.requests.length;
  const stream = client.messages.stream({ ...request, messages: [{ role: 'user', content: 'cut me' }] });
  let text = '';
  stream.on('text', (t) => {
    text += t;
  });
  await assert.rejects(stream.finalMessage());
  assert.equal(text, 'alpha beta ');
  assert.equal(await model.requests[before]!.settled, 'failed');
});
