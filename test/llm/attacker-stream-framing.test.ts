// A stream is recorded as Vigil's SSE parser reads it, and a client reads it with its own. Where the
// two readings differ, the client held words the ledger lacks, or the ledger words the client never
// got: the official openai SDK decodes each line on its own, so a byte-order mark opening a line
// mid-stream is dropped and the line read as `data:` (Vigil's parser, per the SSE spec, drops a BOM
// only at the start of the stream and read the line as an unknown field); and the SDK ends a stream
// at any data that starts with `[DONE]`, where Vigil waited for exactly `[DONE]` and recorded what
// came after. The upstream here is a node:http stand-in speaking OpenAI's chat stream; the client
// is the official openai SDK. What the client reads must be what was recorded, however it is framed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { connectionEvents } from '../support/gateway.js';
import { type ScriptedChat, startScriptedChat } from '../support/scripted-upstream.js';

const chunk = (content: string, finish: string | null = null) =>
  JSON.stringify({
    id: 'chatcmpl-framing',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'demo',
    choices: [{ index: 0, delta: { content }, finish_reason: finish }],
  });

/** Each scripted stream, by the user message that asks for it. */
const STREAMS: Record<string, string> = {
  // A line opened by U+FEFF, in the middle of the stream.
  bom: `data: ${chunk('visible')}\n\n\uFEFFdata: ${chunk(' hidden')}\n\ndata: ${chunk('', 'stop')}\n\ndata: [DONE]\n\n`,
  // Data that merely starts with [DONE] ends the SDK's stream; more follows, then the exact marker.
  'done-prefix': `data: ${chunk('visible')}\n\ndata: [DONE] \n\ndata: ${chunk(' after the end')}\n\ndata: ${chunk('', 'stop')}\n\ndata: [DONE]\n\n`,
  // An error mid-stream: the SDK throws there, and never reads what follows.
  error: `data: ${chunk('visible')}\n\ndata: {"error":{"message":"overloaded","type":"server_error"}}\n\ndata: ${chunk(' after the error')}\n\ndata: [DONE]\n\n`,
  // Lines ended by a lone CR, comments and several data lines per event: read alike by both.
  framing: `: keep-alive\r\ndata: ${chunk('one')}\r\rdata: {"id":"chatcmpl-framing","object":"chat.completion.chunk",\ndata: "choices":[{"index":0,"delta":{"content":" two"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n`,
};

let f: ScriptedChat;

before(async () => {
  f = await startScriptedChat((request, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(STREAMS[request.ask] ?? '');
  });
});

after(async () => {
  await f?.close();
});

/** What the SDK's client read, and what the ledger recorded as the answer. */
async function readAndRecord(ask: string): Promise<{ read: string; recorded: string; thrown: unknown }> {
  const stream = await f.client.chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: ask }],
    stream: true,
  });
  let read = '';
  let thrown: unknown = null;
  try {
    for await (const part of stream) read += part.choices[0]?.delta?.content ?? '';
  } catch (err) {
    thrown = err;
  }
  const response = (await connectionEvents(f.gateway, 'oa', 'llm.response')).at(-1)!;
  const choices = response.payload!.choices as { text: string }[];
  return { read, recorded: choices.map((c) => c.text).join(''), thrown };
}

test('a line opened by a byte-order mark mid-stream: the client reads no word the ledger lacks', async () => {
  const { read, recorded } = await readAndRecord('bom');
  assert.equal(read, recorded);
  assert.equal(read, 'visible');
});

test('data that starts with [DONE] ends the stream for the client and the record alike', async () => {
  const { read, recorded } = await readAndRecord('done-prefix');
  assert.equal(read, recorded);
  assert.equal(read, 'visible');
});

test('CR line ends, comments and multi-line data are read alike by the client and the record', async () => {
  const { read, recorded } = await readAndRecord('framing');
  assert.equal(read, 'one two');
  assert.equal(recorded, 'one two');
});

test('an error mid-stream ends it for the record as for the client, and is recorded', async () => {
  const { read, recorded, thrown } = await readAndRecord('error');
  assert.ok(thrown instanceof OpenAI.APIError, 'the SDK throws at the error');
  assert.equal(read, 'visible');
  assert.equal(recorded, read);
  const response = (await connectionEvents(f.gateway, 'oa', 'llm.response')).at(-1)!;
  assert.deepEqual(response.payload!.error, { code: 'server_error', message: 'overloaded' });
});
