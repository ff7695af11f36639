// An upstream's answer whose JSON has a key twice in one object, or two keys that differ only in
// case. JSON.parse (Vigil, the openai SDK for TypeScript) keeps the last of two equal keys, other
// parsers the first; Go's encoding/json (go-openai and other Go clients) matches `Content` to the
// field `content`. Until 7 December a streamed delta's `Content` reached the client while the
// record, rebuilt from the fields it knows, never held it; and a whole answer was recorded as
// JSON.parse's reading, without the first of two equal keys. Now such an event ends the stream
// before it reaches the client, and such a whole answer is recorded as the text it is.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connectionEvents, TOKENS } from '../support/gateway.js';
import { chatChunk, type ScriptedChat, startScriptedChat } from '../support/scripted-upstream.js';

const WHOLE = `{"id":"chatcmpl-dup","object":"chat.completion","created":0,"model":"demo","choices":[{"index":0,"message":{"role":"assistant","content":"first reading","content":"last reading"},"finish_reason":"stop"}]}`;

const VARIANT_CHUNK = `data: {"id":"chatcmpl-x","object":"chat.completion.chunk","created":0,"model":"demo","choices":[{"index":0,"delta":{"content":" benign","Content":" only-go-reads-this"},"finish_reason":null}]}\n\n`;
const DUPLICATE_CHUNK = `data: {"id":"chatcmpl-x","object":"chat.completion.chunk","created":0,"model":"demo","choices":[{"index":0,"delta":{"content":" first-wins-reads-this","content":" benign"},"finish_reason":null}]}\n\n`;

let chat: ScriptedChat;

before(async () => {
  chat = await startScriptedChat((request, res) => {
    if (request.ask === 'whole') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(WHOLE);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const odd = request.ask === 'variant' ? VARIANT_CHUNK : DUPLICATE_CHUNK;
    res.end(
      `${chatChunk({ role: 'assistant', content: 'Hello' })}${odd}${chatChunk({}, 'stop')}data: [DONE]\n\n`,
    );
  });
});

after(async () => {
  await chat?.close();
});

/** The stream's bytes as the client receives them, read raw. */
async function rawStream(ask: string): Promise<string> {
  const res = await fetch(`${chat.gateway.url}/c/oa/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'demo', stream: true, messages: [{ role: 'user', content: ask }] }),
  });
  assert.equal(res.status, 200);
  let text = '';
  const decoder = new TextDecoder();
  try {
    for await (const piece of res.body as unknown as AsyncIterable<Uint8Array>) {
      text += decoder.decode(piece, { stream: true });
    }
  } catch {
    // Cut by the gateway: what arrived before is what the client has.
  }
  return text;
}

test('a stream event with case-variant or duplicate keys ends the stream before the client reads it', async () => {
  for (const [ask, hidden] of [
    ['variant', 'only-go-reads-this'],
    ['duplicate', 'first-wins-reads-this'],
  ] as const) {
    const text = await rawStream(ask);
    assert.ok(text.includes('Hello'), `${ask}: ${text}`);
    assert.ok(!text.includes(hidden), `${ask}: the client read ${hidden}`);
    assert.ok(!text.includes('benign'), `${ask}: ${text}`);
    const response = (await connectionEvents(chat.gateway, 'oa', 'llm.response')).at(-1)!;
    assert.equal(response.payload!.partial, true, ask);
    assert.equal((response.payload!.error as { code: string }).code, 'upstream_failed', ask);
    assert.equal((response.payload!.choices as { text: string }[])[0]?.text, 'Hello', ask);
  }
});

test('a whole answer with a key twice is recorded as the text the client got, both readings in it', async () => {
  const res = await fetch(`${chat.gateway.url}/c/oa/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'whole' }] }),
  });
  assert.equal(await res.text(), WHOLE);
  const response = (await connectionEvents(chat.gateway, 'oa', 'llm.response')).at(-1)!;
  assert.equal(response.payload!.bodyText, WHOLE);
  assert.equal(response.payload!.body, null);
});
