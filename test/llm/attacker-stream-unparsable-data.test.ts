// An event whose data is not JSON, mid-stream: the official openai SDK parses every event's data and
// throws there, and the official @anthropic-ai/sdk every event of Anthropic's names, so the client
// is shown the answer up to that event and an error. Until 7 December the record read on past it,
// and the ledger held the whole answer, complete, with the words the client never got. Such a
// stream is now cut at that event: the record is partial, says why, and holds what the client read.
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, test } from 'node:test';
import { connectionEvents } from '../support/gateway.js';
import { type ReceivedRequest, type ScriptedChat, startScriptedChat } from '../support/scripted-upstream.js';
import { anthropicClient, anthropicMessage } from './anthropic-sse.js';

const chunk = (content: string, finish: string | null = null) =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-unparsable',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'demo',
    choices: [{ index: 0, delta: { content }, finish_reason: finish }],
  })}\n\n`;
const CHAT = `${chunk('one')}data: {"choices": [\n\n${chunk(' two')}${chunk('', 'stop')}data: [DONE]\n\n`;

const event = (data: { type: string }) => `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
const text = (t: string) =>
  event({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: t } } as never);
const ANTHROPIC =
  event({
    type: 'message_start',
    message: anthropicMessage('msg_unparsable'),
  } as never) +
  event({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } as never) +
  text('one') +
  'event: content_block_delta\ndata: {"type": "content_block_delta", "index": 0,\n\n' +
  text(' two') +
  event({ type: 'content_block_stop', index: 0 } as never) +
  event({
    type: 'message_delta',
    delta: { stop_reason: 'end_turn', stop_sequence: null },
    usage: { output_tokens: 2 },
  } as never) +
  event({ type: 'message_stop' });

let chat: ScriptedChat;
let anthropic: ScriptedChat;

function answer(request: ReceivedRequest, res: ServerResponse) {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.end(request.url.endsWith('/messages') ? ANTHROPIC : CHAT);
}

before(async () => {
  chat = await startScriptedChat(answer);
  anthropic = await startScriptedChat(answer, { type: 'llm-anthropic' });
});

after(async () => {
  await chat?.close();
  await anthropic?.close();
});

async function lastRecord(f: ScriptedChat) {
  const payload = (await connectionEvents(f.gateway, 'oa', 'llm.response')).at(-1)!.payload as {
    partial: boolean;
    error: { code: string; message: string } | null;
    choices: { text: string }[];
  };
  return payload;
}

test('chat data that is not JSON: the SDK stops there, and the ledger records no more than it read', async () => {
  const stream = await chat.client.chat.completions.create({
    model: 'demo',
    stream: true,
    messages: [{ role: 'user', content: 'hi' }],
  });
  let read = '';
  let thrown: unknown = null;
  try {
    for await (const part of stream) read += part.choices[0]?.delta?.content ?? '';
  } catch (err) {
    thrown = err;
  }
  const record = await lastRecord(chat);
  assert.ok(thrown, 'the client was told its stream failed');
  assert.equal(read, 'one');
  assert.equal(record.choices[0]?.text ?? '', read, 'the ledger holds what the client read');
  assert.equal(record.partial, true);
  assert.match(JSON.stringify(record.error), /not JSON/);
});

test('an Anthropic delta whose data is not JSON: the SDK stops there, and so does the record', async () => {
  const client = anthropicClient(anthropic.gateway.url);
  const stream = client.messages.stream({
    model: 'demo',
    max_tokens: 16,
    messages: [{ role: 'user', content: 'hi' }],
  });
  let read = '';
  stream.on('text', (t) => {
    read += t;
  });
  await assert.rejects(stream.finalMessage());
  const record = await lastRecord(anthropic);
  assert.equal(read, 'one');
  assert.equal(record.choices[0]?.text ?? '', read, 'the ledger holds what the client read');
  assert.equal(record.partial, true);
  assert.match(JSON.stringify(record.error), /not JSON/);
});
