// The record reads a stream's events by their data; the SDKs pick what to read by the SSE event
// name. Until 7 December the events went out under the upstream's names, so an upstream could name
// words out of the client's sight while the ledger recorded them as the answer: the official
// @anthropic-ai/sdk skips an event named `ping` (or any name not Anthropic's) whatever its data,
// and the official openai SDK hands an event named `thread.…` to its caller as `{event, data}`, not
// as a chat chunk or a Responses event. Each event now goes out under the name the record read it
// by, so the client reads every word the ledger holds, and no other.
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, test } from 'node:test';
import { connectionEvents } from '../support/gateway.js';
import { type ReceivedRequest, type ScriptedChat, startScriptedChat } from '../support/scripted-upstream.js';
import { anthropicClient, anthropicMessage } from './anthropic-sse.js';

const named = (name: string | null, data: object) =>
  `${name === null ? '' : `event: ${name}\n`}data: ${JSON.stringify(data)}\n\n`;
const chunk = (content: string, finish: string | null = null) => ({
  id: 'chatcmpl-names',
  object: 'chat.completion.chunk',
  created: 0,
  model: 'demo',
  choices: [{ index: 0, delta: { content }, finish_reason: finish }],
});
const CHAT =
  named(null, chunk('one')) +
  named('thread.message.delta', chunk(' two')) +
  named('message', chunk(' three')) +
  named(null, chunk('', 'stop')) +
  'data: [DONE]\n\n';

const typed = (name: string, data: { type: string }) => named(name, data);
const delta = (text: string) => ({
  type: 'content_block_delta',
  index: 0,
  delta: { type: 'text_delta', text },
});
const ANTHROPIC =
  typed('message_start', {
    type: 'message_start',
    message: anthropicMessage('msg_names'),
  } as never) +
  typed('content_block_start', {
    type: 'content_block_start',
    index: 0,
    content_block: { type: 'text', text: '' },
  } as never) +
  typed('content_block_delta', delta('one')) +
  typed('ping', delta(' two')) +
  typed('x-upstream-note', delta(' three')) +
  typed('content_block_stop', { type: 'content_block_stop', index: 0 } as never) +
  typed('message_delta', {
    type: 'message_delta',
    delta: { stop_reason: 'end_turn', stop_sequence: null },
    usage: { output_tokens: 3 },
  } as never) +
  typed('message_stop', { type: 'message_stop' });

const item = (text: string, status: string) => ({
  id: 'msg_1',
  type: 'message',
  status,
  role: 'assistant',
  content: [{ type: 'output_text', text, annotations: [] }],
});
const response = (status: string, output: object[]) => ({
  id: 'resp_1',
  object: 'response',
  created_at: 0,
  status,
  model: 'demo',
  output,
});
const place = { item_id: 'msg_1', output_index: 0, content_index: 0 };
const event = (name: string, type: string, data: object) => named(name, { type, ...data });
const RESPONSES =
  event('response.created', 'response.created', { response: response('in_progress', []) }) +
  event('response.output_item.added', 'response.output_item.added', {
    output_index: 0,
    item: item('', 'in_progress'),
  }) +
  event('response.content_part.added', 'response.content_part.added', {
    ...place,
    part: { type: 'output_text', text: '', annotations: [] },
  }) +
  event('response.output_text.delta', 'response.output_text.delta', { ...place, delta: 'one' }) +
  event('thread.run.step.delta', 'response.output_text.delta', { ...place, delta: ' two' }) +
  event('response.output_text.done', 'response.output_text.done', { ...place, text: 'one two' }) +
  event('response.completed', 'response.completed', {
    response: response('completed', [item('one two', 'completed')]),
  });

let chat: ScriptedChat;
let anthropic: ScriptedChat;

function answer(request: ReceivedRequest, res: ServerResponse) {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  if (request.url.endsWith('/messages')) res.end(ANTHROPIC);
  else res.end(request.url.endsWith('/responses') ? RESPONSES : CHAT);
}

before(async () => {
  chat = await startScriptedChat(answer);
  anthropic = await startScriptedChat(answer, { type: 'llm-anthropic' });
});

after(async () => {
  await chat?.close();
  await anthropic?.close();
});

async function recordedText(f: ScriptedChat): Promise<string> {
  const payload = (await connectionEvents(f.gateway, 'oa', 'llm.response')).at(-1)!.payload as {
    choices: { text: string }[];
  };
  return payload.choices[0]!.text;
}

test('a chat chunk under an event name: the openai SDK reads it as a chunk, as the ledger does', async () => {
  const stream = await chat.client.chat.completions.create({
    model: 'demo',
    stream: true,
    messages: [{ role: 'user', content: 'hi' }],
  });
  let read = '';
  // `choices` is optional here: a chunk the SDK handed over as `{event, data}` has none.
  for await (const part of stream) read += part.choices?.[0]?.delta?.content ?? '';
  assert.equal(await recordedText(chat), 'one two three');
  assert.equal(read, 'one two three');
});

test('an Anthropic delta under `ping` or a name of its own: the SDK shows it, as the ledger holds it', async () => {
  const client = anthropicClient(anthropic.gateway.url);
  let streamed = '';
  const stream = client.messages.stream({
    model: 'demo',
    max_tokens: 16,
    messages: [{ role: 'user', content: 'hi' }],
  });
  stream.on('text', (t) => {
    streamed += t;
  });
  const message = await stream.finalMessage();
  const text = message.content[0]?.type === 'text' ? message.content[0].text : '';
  assert.equal(await recordedText(anthropic), 'one two three');
  assert.equal(text, 'one two three');
  assert.equal(streamed, 'one two three');
});

test('a Responses delta under a `thread.` name: the openai SDK reads it as the delta it is', async () => {
  const stream = await chat.client.responses.create({ model: 'demo', input: 'hi', stream: true });
  let read = '';
  for await (const e of stream) if (e.type === 'response.output_text.delta') read += e.delta;
  assert.equal(await recordedText(chat), 'one two');
  assert.equal(read, 'one two');
});
