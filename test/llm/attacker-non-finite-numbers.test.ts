// A number JSON.parse reads as Infinity (`1e400`) can be neither recorded (the ledger's canonical
// JSON has no Infinity) nor forwarded as sent (JSON.stringify spells it `null`). Until 6 December a
// model's whole answer holding one failed as 503 record_failed (nothing delivered, a code that
// blames Vigil), and so did a client's request holding one. Now the answer is recorded as the text
// the client gets and delivered; the request is refused as malformed (400 body_invalid_json) and
// never forwarded. A streamed answer holding one was already delivered and recorded. Real parts:
// the openai SDK as the client; a node:http upstream writes the number as a hostile server would;
// the request is sent raw (the SDK, through JSON.stringify, cannot send one).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TOKENS } from '../support/gateway.js';
import { chatChunk, type ScriptedChat, startScriptedChat } from '../support/scripted-upstream.js';

let chat: ScriptedChat;

before(async () => {
  chat = await startScriptedChat((req, res) => {
    if (req.ask.startsWith('stream')) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(
        chatChunk({ content: 'streamed' }).replace('"finish_reason":null', '"finish_reason":null,"x":1e400'),
      );
      res.end(`${chatChunk({}, 'stop')}data: [DONE]\n\n`);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      `{"id":"chatcmpl-1","object":"chat.completion","created":0,"model":"demo","choices":[{"index":0,"message":{"role":"assistant","content":"whole-answer-b7"},"finish_reason":"stop","logprobs":null}],"x_score":1e400}`,
    );
  });
});

after(async () => {
  await chat?.close();
});

async function lastResponse(marker: string) {
  await chat.gateway.recorder.drain();
  const [summary] = await chat.gateway.store.ledger.listSessions({ search: marker });
  assert.ok(summary, `a session holding ${marker}`);
  return (await chat.gateway.store.ledger.readSession(summary.id)).findLast((e) => e.type === 'llm.response');
}

test("a model's whole answer holding 1e400 is delivered, and recorded as the text the client got", async () => {
  const answer = await chat.client.chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: 'whole marker-w1' }],
  });
  assert.equal(answer.choices[0]?.message.content, 'whole-answer-b7');
  const response = await lastResponse('marker-w1');
  assert.ok(response, 'the answer is recorded');
  const recorded = JSON.stringify(response.payload);
  assert.match(recorded, /whole-answer-b7/);
  assert.match(recorded, /1e400/, 'the number as the upstream wrote it');
});

test('a streamed answer holding 1e400 is delivered and recorded', async () => {
  const stream = await chat.client.chat.completions.create({
    model: 'demo',
    stream: true,
    messages: [{ role: 'user', content: 'stream marker-s2' }],
  });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  assert.equal(text, 'streamed');
  const response = await lastResponse('marker-s2');
  assert.match(JSON.stringify(response?.payload), /streamed/);
});

test("a client's request holding 1e400 is refused as malformed and never forwarded", async () => {
  const before = chat.received.length;
  const res = await fetch(`${chat.gateway.url}/c/oa/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json' },
    body: '{"model":"demo","temperature":1e400,"messages":[{"role":"user","content":"hi"}]}',
  });
  assert.equal(res.status, 400);
  const body = (await res.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'body_invalid_json');
  assert.match(body.error.message, /too large for a double/);
  assert.equal(chat.received.length, before, 'nothing reached the upstream');
});
