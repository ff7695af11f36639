// With `mask_responses: true` the client must never hold a secret the model streams. Some
// OpenAI-compatible servers (Mistral's, for one) stream a chat delta's `content` as an array of
// parts rather than a string; the ledger reads the parts' text (openai-stream-body.ts), but the live
// masker streamed only string content and passed any other value on as it came, unmasked: a key the
// model wrote reached the client whole, in one part or cut across chunks as tokens cut it. The
// upstream is a node:http stand-in; the client is the official openai SDK.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connectionEvents } from '../support/gateway.js';
import { chatChunk, type ScriptedChat, startScriptedChat } from '../support/scripted-upstream.js';

const KEY = 'sk-proj-Zq8XvN2mB7kL4pR9tW3yH6cJ1dF5gA0s';
const ANSWER = `the key is ${KEY} as asked`;

/** The deltas of each scripted stream, by the user message that asks for it. */
const STREAMS: Record<string, object[]> = {
  // The key cut between two chunks' parts, at several places.
  split: [
    { role: 'assistant', content: [{ type: 'text', text: ANSWER.slice(0, 20) }] },
    { content: [{ type: 'text', text: ANSWER.slice(20, 31) }] },
    { content: [{ type: 'text', text: ANSWER.slice(31) }] },
  ],
  // The key whole in one part, beside another part.
  whole: [
    {
      role: 'assistant',
      content: [
        { type: 'text', text: 'ok: ' },
        { type: 'text', text: ANSWER },
      ],
    },
  ],
  // Reasoning given as something other than a string.
  odd: [{ role: 'assistant', reasoning_content: { text: ANSWER }, content: 'done' }],
};

let f: ScriptedChat;

before(async () => {
  f = await startScriptedChat(
    (request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const delta of STREAMS[request.ask] ?? []) res.write(chatChunk(delta, null, 'chatcmpl-parts'));
      res.end(`${chatChunk({}, 'stop', 'chatcmpl-parts')}data: [DONE]\n\n`);
    },
    { mask_responses: true },
  );
});

after(async () => {
  await f?.close();
});

/** Every string a value holds but its `role` and `type` names, in order: the text a client shows. */
function strings(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(strings).join('');
  if (typeof value !== 'object' || value === null) return '';
  return Object.entries(value)
    .filter(([key]) => key !== 'role' && key !== 'type')
    .map(([, v]) => strings(v))
    .join('');
}

/** Every text the client's chunks carry, content parts and all, in order. */
async function clientReads(ask: string): Promise<string> {
  const stream = await f.client.chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: ask }],
    stream: true,
  });
  let read = '';
  for await (const part of stream) read += strings(part.choices[0]?.delta);
  return read;
}

for (const ask of Object.keys(STREAMS)) {
  test(`content parts (${ask}): the key never reaches the client, and the record holds it masked`, async () => {
    const read = await clientReads(ask);
    assert.ok(!read.includes(KEY), `the client read the key: ${read}`);
    assert.ok(!read.includes(KEY.slice(8)), 'nor its secret part');
    assert.match(read, /as asked/, 'the rest of the answer still arrives');
    const response = (await connectionEvents(f.gateway, 'oa', 'llm.response')).at(-1)!;
    assert.ok(!JSON.stringify(response.payload).includes(KEY.slice(8)));
  });
}
