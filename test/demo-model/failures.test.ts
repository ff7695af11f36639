// Errors and misbehaviour: provider-shaped errors surface as the SDKs' typed errors; a stream that
// dies mid-way, a hang, a slow answer and a reset are seen by the client and recorded.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';

const KEY = 'sk-demo-failures-0002';
let model: DemoModel;
let client: OpenAI;

before(async () => {
  model = await startDemoModel({
    apiKey: KEY,
    respond: (p) =>
      p.lastUserText === 'please rate-limit me'
        ? { error: { status: 429, message: 'Slow down.' } }
        : p.lastUserText === 'die after one'
          ? { text: 'one two three four five', fail: { kind: 'mid-stream', afterChunks: 1 } }
          : null,
  });
  client = new OpenAI({ baseURL: `${model.url}/v1`, apiKey: KEY, maxRetries: 0 });
});

after(() => model.close());

const ask = (content: string) => [{ role: 'user' as const, content }];

test('a wrong or missing key is an AuthenticationError (401, invalid_api_key) and the key is not echoed', async () => {
  const wrong = new OpenAI({ baseURL: `${model.url}/v1`, apiKey: 'sk-wrong-key-123456', maxRetries: 0 });
  await assert.rejects(
    wrong.chat.completions.create({ model: 'demo', messages: ask('hi') }),
    (err: unknown) =>
      err instanceof OpenAI.AuthenticationError &&
      err.code === 'invalid_api_key' &&
      !err.message.includes('sk-wrong-key-123456'),
  );
  const res = await fetch(`${model.url}/v1/models`);
  assert.equal(res.status, 401);
  assert.equal(((await res.json()) as { error: { type: string } }).error.type, 'invalid_request_error');
});

test('a scripted 429 is a RateLimitError with the scripted message', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'demo', messages: ask('please rate-limit me') }),
    (err: unknown) =>
      err instanceof OpenAI.RateLimitError && err.status === 429 && /Slow down/.test(err.message),
  );
});

test('x-demo-fail: status-503 and a demo-fail-status-500 model give InternalServerErrors', async () => {
  await assert.rejects(
    client.chat.completions.create(
      { model: 'demo', messages: ask('hi') },
      { headers: { 'x-demo-fail': 'status-503' } },
    ),
    (err: unknown) => err instanceof OpenAI.InternalServerError && err.status === 503,
  );
  await assert.rejects(
    client.embeddings.create({ model: 'demo-fail-status-500', input: 'x' }),
    (err: unknown) => err instanceof OpenAI.InternalServerError && err.status === 500,
  );
});

test('bad requests: invalid JSON, missing messages, bad n, unknown path, unknown failure spec', async () => {
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${model.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...headers },
      body,
    });
  const invalid = await post('/v1/chat/completions', '{"model": "demo", ');
  assert.equal(invalid.status, 400);
  const invalidBody = (await invalid.json()) as { error: Record<string, unknown> };
  assert.deepEqual(Object.keys(invalidBody.error).sort(), ['code', 'message', 'param', 'type']);
  await assert.rejects(
    client.chat.completions.create({ model: 'demo' } as never),
    (err: unknown) => err instanceof OpenAI.BadRequestError && err.param === 'messages',
  );
  await assert.rejects(
    client.chat.completions.create({ model: 'demo', messages: ask('hi'), n: 0 }),
    (err: unknown) => err instanceof OpenAI.BadRequestError && err.param === 'n',
  );
  const unknown = await post('/v1/nothing-here', '{}');
  assert.equal(unknown.status, 404);
  assert.match(((await unknown.json()) as { error: { message: string } }).error.message, /Invalid URL/);
  const spec = await post('/v1/chat/completions', JSON.stringify({ model: 'demo', messages: ask('x') }), {
    'x-demo-fail': 'explode',
  });
  assert.equal(spec.status, 400);
});

test('death mid-stream: the SDK stream throws after the first chunk; the request is recorded as failed', async () => {
  const before = model.requests.length;
  const stream = await client.chat.completions.create({
    model: 'demo',
    messages: ask('die after one'),
    stream: true,
  });
  let text = '';
  await assert.rejects(async () => {
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  });
  assert.equal(text, 'one ');
  const record = model.requests[before]!;
  assert.equal(await record.settled, 'failed');
  assert.equal(record.status, 200);
});

test('death mid-stream by header, on a non-streamed answer: the client sees a broken body', async () => {
  // The status line arrived, so the SDK does not wrap it: fetch's own "terminated" reaches the caller.
  await assert.rejects(
    client.chat.completions.create(
      { model: 'demo', messages: ask('hello') },
      { headers: { 'x-demo-fail': 'mid-stream' } },
    ),
    (err: unknown) => err instanceof TypeError && /terminated/.test(err.message),
  );
  assert.equal(await model.requests.at(-1)!.settled, 'failed');
});

test('hang: the model waits until the client aborts, and records the abort', async () => {
  const before = model.requests.length;
  const controller = new AbortController();
  const pending = client.chat.completions.create(
    { model: 'demo', messages: ask('hello') },
    { headers: { 'x-demo-fail': 'hang' }, signal: controller.signal },
  );
  while (model.requests.length === before) await new Promise((r) => setTimeout(r, 5));
  const record = model.requests[before]!;
  assert.equal(record.outcome, 'pending');
  controller.abort();
  await assert.rejects(pending, OpenAI.APIUserAbortError);
  assert.equal(await record.settled, 'aborted');
  assert.equal(record.status, null);
});

test('slow: a client timeout shorter than the delay surfaces as APIConnectionTimeoutError', async () => {
  await assert.rejects(
    client.chat.completions.create(
      { model: 'demo', messages: ask('hello') },
      { headers: { 'x-demo-fail': 'slow-2000' }, timeout: 100 },
    ),
    OpenAI.APIConnectionTimeoutError,
  );
});

test('reset: the connection is dropped without an answer', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'demo-fail-reset', messages: ask('hello') }),
    OpenAI.APIConnectionError,
  );
  assert.equal(model.requests.at(-1)!.outcome, 'failed');
});

test('mid-stream with more chunks than the reply has still dies before the closing events', async () => {
  const stream = await client.chat.completions.create(
    { model: 'demo', messages: ask('short'), stream: true },
    { headers: { 'x-demo-fail': 'mid-stream:500' } },
  );
  let finished = false;
  await assert.rejects(async () => {
    for await (const chunk of stream) if (chunk.choices[0]?.finish_reason) finished = true;
  });
  assert.equal(finished, false, 'no finish_reason was sent');
});
