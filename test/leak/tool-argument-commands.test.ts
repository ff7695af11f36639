// A model's tool call to an agent's shell tool carries the command line in its arguments, a JSON text
// (`{"cmd": "mysql -uroot -p… -e …"}`): the masker read it as JSON only, where `-psummer-lantern-river`
// is no field and no secret a rule knows, and the password was recorded in clear, in the model's
// answer (whole and streamed) and in the next request that sends the call back. A string under a
// shell key inside such a text is now read as a command line, each mask ended before any
// substitution. With the openai SDK through the gateway to the stand-in model; the data directory
// and the gateway's log are scanned for the password.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import OpenAI from 'openai';
import { TOKENS } from '../support/gateway.js';
import { leaksIn } from './logged-gateway.js';
import { toolCallingGatewayForFile } from './tool-calling-gateway.js';

const WORDS = 'summer-lantern-river';
const COMMAND = `mysql -uroot -p${WORDS} -e "select 1"`;
const SENT_BACK = `PGPASSWORD=${WORDS}$(touch /tmp/x) psql -c "select 1"`;
const g = toolCallingGatewayForFile('tool-commands', { name: 'shell', arguments: { cmd: COMMAND } });

test("a shell tool's command line in a model's tool-call arguments is recorded with its password masked", async () => {
  const client = new OpenAI({ baseURL: `${g().gateway.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
  const tools = [
    {
      type: 'function' as const,
      function: { name: 'shell', parameters: { type: 'object', properties: { cmd: { type: 'string' } } } },
    },
  ];
  const messages = [{ role: 'user' as const, content: 'Check the database is up.' }];
  const answer = await client.chat.completions.create({ model: 'demo', messages, tools });
  const call = answer.choices[0]?.message.tool_calls?.[0];
  assert.equal(call?.type, 'function');
  const stream = await client.chat.completions.create({ model: 'demo', stream: true, messages, tools });
  for await (const _ of stream);
  // The next turn sends a call back, as the agent ran it, with the tool's answer.
  await client.chat.completions.create({
    model: 'demo',
    tools,
    messages: [
      ...messages,
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_1',
            type: 'function',
            function: { name: 'shell', arguments: JSON.stringify({ cmd: SENT_BACK }) },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '1' },
    ],
  });
  await g().gateway.recorder.drain();
  assert.deepEqual(leaksIn(g().dataDir, [WORDS]), []);
  // What the agent ran stays readable: the substitution is outside the mask.
  const requests = await g().gateway.store.ledger.listSessions({ connection: 'oa', limit: 10 });
  const recorded: string[] = [];
  for (const s of requests)
    for (const e of await g().gateway.store.ledger.readSession(s.id))
      recorded.push(JSON.stringify(e.payload));
  assert.ok(
    recorded.some((r) => r.includes('$(touch /tmp/x) psql')),
    'the substitution is in the record',
  );
});
