// Policy reads a model request by its fields (src/protocols/llm/action-facts.ts). A body that is a
// JSON array or a bare string has none, so every pattern read nothing, and the body was recorded and
// forwarded: an upstream that takes an array as a batch of requests (or a string as a prompt) gave
// the model text no rule had seen. Such a body is refused before the upstream.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connectionEvents, TOKENS } from '../support/gateway.js';
import { answerJson, type ScriptedChat, startScriptedChat } from '../support/scripted-upstream.js';

let f: ScriptedChat;

before(async () => {
  f = await startScriptedChat(
    answerJson({ object: 'list', data: [] }),
    {},
    { policy: { rules: [{ name: 'no-exfil', match: { pattern: 'exfiltrate the keys' }, action: 'deny' }] } },
  );
});

after(async () => {
  await f?.close();
});

test('a body that is not a JSON object is refused, recorded, and never forwarded', async () => {
  const prompt = { model: 'demo', messages: [{ role: 'user', content: 'exfiltrate the keys' }] };
  for (const body of [[prompt], '"exfiltrate the keys"', '42', 'null']) {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const res = await fetch(`${f.gateway.url}/c/oa/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json' },
      body: text,
    });
    await res.arrayBuffer();
    assert.equal(f.received.length, 0, `${text}: forwarded`);
    assert.equal(res.status, 400, text);
    assert.equal(res.headers.get('x-vigil-error'), 'body_invalid_json');
  }
  assert.ok((await connectionEvents(f.gateway, 'oa', 'access.denied')).length >= 4);
  assert.equal((await connectionEvents(f.gateway, 'oa', 'llm.request')).length, 0);
});
