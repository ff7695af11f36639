// The stand-in model driven by the official openai client: every endpoint, streamed and not, with
// n > 1 and tool calls; what the scripting hook sees; streamed and whole answers agree.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { type DemoModel, type DemoPrompt, defaultReply, startDemoModel } from '../../src/demo-model/index.js';

const KEY = 'sk-demo-test-key-0001';
let model: DemoModel;
let client: OpenAI;
const seen: DemoPrompt[] = [];

before(async () => {
  model = await startDemoModel({
    apiKey: KEY,
    respond: (prompt) => {
      seen.push(prompt);
      return null; // the default reply
    },
  });
  client = new OpenAI({ baseURL: `${model.url}/v1`, apiKey: KEY, maxRetries: 0 });
});

after(() => model.close());

const messages = [
  { role: 'system' as const, content: 'You are terse.' },
  { role: 'user' as const, content: 'Name three prime numbers.' },
];

test('chat, n=3: one hook call per choice, default replies differ per choice and are predictable', async () => {
  seen.length = 0;
  const r = await client.chat.completions.create({ model: 'demo', messages, n: 3 });
  assert.equal(r.object, 'chat.completion');
  assert.equal(r.model, 'demo');
  assert.equal(typeof r.system_fingerprint, 'string');
  assert.deepEqual(
    seen.map((p) => [p.api, p.choiceIndex, p.n, p.system, p.lastUserText]),
    [0, 1, 2].map((i) => ['openai.chat', i, 3, 'You are terse.', 'Name three prime numbers.']),
  );
  assert.deepEqual(
    r.choices.map((c) => c.message.content),
    seen.map((p) => defaultReply(p).text),
  );
  assert.equal(new Set(r.choices.map((c) => c.message.content)).size, 3);
  assert.ok(r.choices.every((c) => c.finish_reason === 'stop'));
  assert.ok(r.usage && r.usage.total_tokens === r.usage.prompt_tokens + r.usage.completion_tokens);
});

test('chat, n=3, streamed: the assembled choices and usage equal the whole answer', async () => {
  const whole = await client.chat.completions.create({ model: 'demo', messages, n: 3 });
  const stream = await client.chat.completions.create({
    model: 'demo',
    messages,
    n: 3,
    stream: true,
    stream_options: { include_usage: true },
  });
  const texts = ['', '', ''];
  const finish: (string | null)[] = [null, null, null];
  let usage: unknown = null;
  let chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    assert.equal(chunk.object, 'chat.completion.chunk');
    for (const c of chunk.choices) {
      texts[c.index] += c.delta.content ?? '';
      if (c.finish_reason) finish[c.index] = c.finish_reason;
    }
    if (chunk.usage) usage = chunk.usage;
  }
  assert.deepEqual(
    texts,
    whole.choices.map((c) => c.message.content),
  );
  assert.deepEqual(finish, ['stop', 'stop', 'stop']);
  assert.deepEqual(usage, whole.usage);
  assert.ok(chunks > texts.join(' ').split(' ').length, 'one chunk per token and choice');
});

test('max_tokens cuts the reply and reports finish_reason length', async () => {
  const r = await client.chat.completions.create({ model: 'demo', messages, max_tokens: 2 });
  assert.equal(r.choices[0]!.finish_reason, 'length');
  assert.equal(r.usage?.completion_tokens, 2);
});

const weatherSchema = {
  type: 'object',
  properties: { city: { type: 'string' }, days: { type: 'integer' } },
  required: ['city'],
};

const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  {
    type: 'function',
    function: { name: 'lookup_weather', description: 'Weather for a city', parameters: weatherSchema },
  },
];

test('tool calls: whole and streamed (argument deltas) assemble to the same call', async () => {
  const ask = [{ role: 'user' as const, content: 'Weather in Paris?' }];
  const whole = await client.chat.completions.create({ model: 'demo', messages: ask, tools });
  const call = whole.choices[0]!.message.tool_calls?.[0];
  assert.equal(whole.choices[0]!.finish_reason, 'tool_calls');
  assert.ok(call && call.type === 'function');
  assert.equal(call.function.name, 'lookup_weather');
  assert.deepEqual(Object.keys(JSON.parse(call.function.arguments)).sort(), ['city', 'days']);

  const runner = client.chat.completions.stream({ model: 'demo', messages: ask, tools });
  let argumentDeltas = 0;
  runner.on('chunk', (chunk) => {
    if (chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments) argumentDeltas++;
  });
  const streamed = await runner.finalChatCompletion();
  assert.ok(argumentDeltas > 1, 'arguments arrive in several deltas');
  const streamedCall = streamed.choices[0]!.message.tool_calls?.[0];
  assert.ok(streamedCall && streamedCall.type === 'function');
  assert.deepEqual(
    { id: streamedCall.id, name: streamedCall.function.name, args: streamedCall.function.arguments },
    { id: call.id, name: call.function.name, args: call.function.arguments },
  );

  const followUp = await client.chat.completions.create({
    model: 'demo',
    tools,
    messages: [
      ...ask,
      { role: 'assistant', content: null, tool_calls: [call] },
      { role: 'tool', tool_call_id: call.id, content: 'sunny, 21C' },
    ],
  });
  assert.match(followUp.choices[0]!.message.content ?? '', /sunny, 21C/);
});

test('completions: an array of prompts with n=2 numbers choices prompt-major; stream agrees', async () => {
  const prompt = ['Once upon a time', 'In a galaxy far away'];
  const whole = await client.completions.create({ model: 'demo', prompt, n: 2, max_tokens: 50 });
  assert.equal(whole.object, 'text_completion');
  assert.deepEqual(
    whole.choices.map((c) => c.index),
    [0, 1, 2, 3],
  );
  assert.match(whole.choices[2]!.text, /In a galaxy far away/);
  const stream = await client.completions.create({
    model: 'demo',
    prompt,
    n: 2,
    max_tokens: 50,
    stream: true,
  });
  const texts = ['', '', '', ''];
  for await (const chunk of stream) for (const c of chunk.choices) texts[c.index] += c.text;
  assert.deepEqual(
    texts,
    whole.choices.map((c) => c.text),
  );
});

test('responses: whole and streamed (helper and raw event sequence) agree', async () => {
  const whole = await client.responses.create({
    model: 'demo',
    input: 'Say hello',
    instructions: 'Be kind.',
  });
  assert.equal(whole.status, 'completed');
  assert.match(whole.output_text, /Say hello/);
  assert.equal(seen.at(-1)?.system, 'Be kind.');

  const final = await client.responses
    .stream({ model: 'demo', input: 'Say hello', instructions: 'Be kind.' })
    .finalResponse();
  assert.equal(final.output_text, whole.output_text);

  const raw = await client.responses.create({
    model: 'demo',
    input: 'Say hello',
    instructions: 'Be kind.',
    stream: true,
  });
  const types: string[] = [];
  let text = '';
  for await (const event of raw) {
    types.push(event.type);
    if (event.type === 'response.output_text.delta') text += event.delta;
  }
  const deltas = types.filter((t) => t === 'response.output_text.delta').length;
  assert.deepEqual(types, [
    'response.created',
    'response.in_progress',
    'response.output_item.added',
    'response.content_part.added',
    ...Array<string>(deltas).fill('response.output_text.delta'),
    'response.output_text.done',
    'response.content_part.done',
    'response.output_item.done',
    'response.completed',
  ]);
  assert.ok(deltas > 1);
  assert.equal(text, whole.output_text);
});

test('responses: a function call item', async () => {
  const r = await client.responses.create({
    model: 'demo',
    input: 'Weather in Oslo?',
    tools: [{ type: 'function', name: 'lookup_weather', parameters: weatherSchema, strict: false }],
  });
  const item = r.output.find((o) => o.type === 'function_call');
  assert.ok(item && item.type === 'function_call');
  assert.equal(item.name, 'lookup_weather');
  assert.equal(JSON.parse(item.arguments).city, 'Weather in Oslo?');
});

test('embeddings: deterministic unit vectors, base64 (the SDK default) and float agree, dimensions honoured', async () => {
  const a = await client.embeddings.create({ model: 'demo-embed', input: ['alpha', 'beta', 'alpha'] });
  const vectors = a.data.map((d) => d.embedding);
  assert.equal(vectors.length, 3);
  assert.deepEqual(vectors[0], vectors[2]);
  assert.notDeepEqual(vectors[0], vectors[1]);
  for (const v of vectors) assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-5);
  const floats = await client.embeddings.create({
    model: 'demo-embed',
    input: 'alpha',
    encoding_format: 'float',
  });
  assert.deepEqual(floats.data[0]!.embedding, vectors[0]);
  const small = await client.embeddings.create({ model: 'demo-embed', input: 'alpha', dimensions: 8 });
  assert.equal(small.data[0]!.embedding.length, 8);
  assert.ok(a.usage.prompt_tokens > 0);
});

test('models: list and retrieve; an unknown model is a NotFoundError', async () => {
  const list = await client.models.list();
  const ids = list.data.map((m) => m.id);
  assert.ok(ids.includes('demo'));
  assert.equal((await client.models.retrieve('demo')).id, 'demo');
  await assert.rejects(client.models.retrieve('gpt-nonexistent'), OpenAI.NotFoundError);
  await assert.rejects(
    client.chat.completions.create({ model: 'gpt-nonexistent', messages }),
    (err: unknown) =>
      err instanceof OpenAI.NotFoundError && (err.error as { code?: string }).code === 'model_not_found',
  );
});

test('the recorded requests carry the headers the client sent', () => {
  const last = model.requests.at(-1)!;
  assert.equal(last.headers.authorization, `Bearer ${KEY}`);
  assert.ok(model.requests.every((r) => r.outcome !== 'pending'));
});
