// A whole answer in UTF-16. Every model API answers in UTF-8 JSON, and Vigil read the bytes so; but
// Python's json.loads, which the openai and anthropic Python SDKs use, reads UTF-16 and UTF-32 JSON
// by their NUL bytes. To Vigil such an answer was valid UTF-8 with a NUL after every ASCII
// character, text in which no pattern matched: until 7 December a token the model wrote was
// recorded in clear (NUL-spaced) and reached a `mask_responses` client unmasked. Such an answer is
// now refused (`upstream_failed`), recorded without its text.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connectionEvents, TOKENS } from '../support/gateway.js';
import { type ScriptedChat, startScriptedChat } from '../support/scripted-upstream.js';

const TOKEN = 'ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789';
let chat: ScriptedChat;

before(async () => {
  chat = await startScriptedChat(
    (_request, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const answer = {
        id: 'chatcmpl-utf16',
        object: 'chat.completion',
        created: 0,
        model: 'demo',
        choices: [
          { index: 0, message: { role: 'assistant', content: `use ${TOKEN}` }, finish_reason: 'stop' },
        ],
      };
      res.end(Buffer.from(JSON.stringify(answer), 'utf16le'));
    },
    { mask_responses: true },
  );
});

after(async () => {
  await chat?.close();
});

test('an answer in UTF-16 is refused: its token reaches neither the client nor the record', async () => {
  const res = await fetch(`${chat.gateway.url}/c/oa/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'hi' }] }),
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  // As Python's json.loads reads it.
  assert.ok(!bytes.toString('utf16le').includes(TOKEN), 'the client got the token');
  assert.equal(res.status, 502);
  const response = (await connectionEvents(chat.gateway, 'oa', 'llm.response')).at(-1)!;
  assert.equal((response.payload!.error as { code: string }).code, 'upstream_failed');
  const recorded = JSON.stringify(response.payload).replaceAll('\\u0000', '');
  assert.ok(!recorded.includes(TOKEN), 'the record holds the token');
});
