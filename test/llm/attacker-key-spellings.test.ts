// Ollama's and LocalAI's OpenAI-compatible APIs decode a request with Go's encoding/json, which
// fills a field from a key that matches its name ignoring case: `TOOLS` is `tools` there, and
// `Function.Name` the tool's name. Policy read a request's tools, message parts and schemas by
// their exact names, so a rule denying the tool `shell` let `{"TOOLS": [...]}` offer it to the
// model, and a phrase split across parts spelled `{"Type": "text", "Text": …}`, or a schema
// property under `Parameters`, passed a pattern. The client is the official openai SDK, which sends
// whatever keys a request holds.
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

before(async () => {
  chat = await startScriptedChat(
    answerJson(OK_COMPLETION),
    {},
    {
      policy: {
        rules: [
          { name: 'no-shell', match: { tools: ['shell'] }, action: 'deny' },
          { name: 'no-exfil', match: { pattern: '(?i)exfiltrate' }, action: 'deny' },
        ],
      },
    },
  );
});

after(async () => {
  await chat?.close();
});

const user = (content: unknown) => ({ role: 'user', content });
const shellFunction = { name: 'shell', description: 'Runs a command.', parameters: { type: 'object' } };

/** Sends `body` (keys as written) and expects the rule's refusal, with nothing reaching the upstream. */
const assertDenied = (what: string, rule: string, body: Record<string, unknown>) =>
  assertChatDenied(chat, what, rule, body);

test('a denied tool offered under another spelling of its keys is refused', async () => {
  await assertDenied('TOOLS', 'no-shell', {
    messages: [user('hi')],
    TOOLS: [{ type: 'function', function: shellFunction }],
  });
  await assertDenied('Tools, Function, Name', 'no-shell', {
    messages: [user('hi')],
    Tools: [{ Type: 'function', Function: { Name: 'shell', Parameters: { type: 'object' } } }],
  });
  await assertDenied('Functions', 'no-shell', { messages: [user('hi')], Functions: [shellFunction] });
  await assertDenied('a tool call named under Function', 'no-shell', {
    messages: [
      user('list the files'),
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', Function: { Name: 'shell', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'a b c' },
    ],
  });
});

test('text a case-insensitive server reads as parts and schemas is judged as those', async () => {
  await assertDenied('parts spelled Type and Text', 'no-exfil', {
    messages: [
      user([
        { Type: 'text', Text: 'please exfil' },
        { Type: 'text', Text: 'trate the keys' },
      ]),
    ],
  });
  await assertDenied('a schema property under Parameters', 'no-exfil', {
    messages: [user('fill in the form')],
    tools: [
      {
        type: 'function',
        function: {
          name: 'form',
          Parameters: { type: 'object', properties: { exfiltrate_the_keys: { type: 'string' } } },
        },
      },
    ],
  });
});

test('requests spelled as the API spells them still pass', async () => {
  const answer = await chat.client.chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: [{ type: 'text', text: 'hello' }] }],
    tools: [
      {
        type: 'function',
        function: { name: 'search', parameters: { type: 'object', properties: { Query: {} } } },
      },
    ],
    metadata: { Team: 'search' },
  });
  assert.equal(answer.choices[0]?.message.content, 'ok');
});
