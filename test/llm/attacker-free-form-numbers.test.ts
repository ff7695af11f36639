// A model reads a tool's parameter schema and an output schema as JSON, numbers and all, and a chat
// template prints a tool call's input so. Policy read the keys and strings of such free-form JSON,
// not its numbers, so a card number a pattern denies went to the model as a schema's `default` or
// `enum`, or as a number in a tool call's arguments. The client is the official openai SDK.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  answerJson,
  assertChatDenied,
  OK_COMPLETION,
  type ScriptedChat,
  startScriptedChat,
} from '../support/scripted-upstream.js';

let chat: ScriptedChat;
const CARD = 4111111111111111;

before(async () => {
  chat = await startScriptedChat(
    answerJson(OK_COMPLETION),
    {},
    {
      policy: {
        rules: [
          { name: 'no-test-card', match: { pattern: '\\b4111\\s?1111\\s?1111\\s?1111\\b' }, action: 'deny' },
        ],
      },
    },
  );
});

after(async () => {
  await chat?.close();
});

const assertDenied = (what: string, body: Record<string, unknown>) =>
  assertChatDenied(chat, what, 'no-test-card', body);

const ask = [{ role: 'user', content: 'charge the card on file' }];

test('a denied number in a tool schema, an output schema or a tool call is refused', async () => {
  await assertDenied('a parameter default', {
    messages: ask,
    tools: [
      {
        type: 'function',
        function: { name: 'charge', parameters: { type: 'object', properties: { card: { default: CARD } } } },
      },
    ],
  });
  await assertDenied('an output enum', {
    messages: ask,
    response_format: {
      type: 'json_schema',
      json_schema: { name: 'card', schema: { type: 'object', properties: { card: { enum: [CARD] } } } },
    },
  });
  await assertDenied('a tool call whose arguments are an object', {
    messages: [
      ...ask,
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'charge', arguments: { card: CARD } } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'charged' },
    ],
  });
});

test('numbers that are settings, and other numbers, still pass', async () => {
  const answer = await chat.client.chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: 'hello' }],
    max_tokens: 4111,
    temperature: 0.5,
    tools: [
      {
        type: 'function',
        function: { name: 'pick', parameters: { type: 'object', properties: { n: { maximum: 1111 } } } },
      },
    ],
  });
  assert.equal(answer.choices[0]?.message.content, 'ok');
});
