// A model's call to a tool that takes its command as an array of words carries it in its arguments, a
// JSON text (`{"argv": ["mysql", "-uroot", "-p…"]}`, `{"command": ["sh", "-c", "PGPASSWORD=… psql"]}`).
// Each word was read alone, and a password of words was recorded in clear in the model's answer
// (whole and streamed) and in the next request sending the call back, here with every non-ASCII
// character and `<` written as a \u escape, as Python's json.dumps and HTML-safe encoders write
// them. With the openai SDK through the gateway to the stand-in model; the data directory and the
// gateway's log are scanned for the passwords.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import OpenAI from 'openai';
import { TOKENS } from '../support/gateway.js';
import { leaksIn } from './logged-gateway.js';
import { toolCallingGatewayForFile } from './tool-calling-gateway.js';

const MYSQL = 'summer lantern river';
const SENT_BACK = 'copper kettle évening';
const ARGV = ['mysql', '-uroot', `-p${MYSQL}`, '-e', 'select 1'];
const g = toolCallingGatewayForFile('tool-argv', { name: 'run', arguments: { argv: ARGV } });

/** JSON as Python's json.dumps writes it by default, `<` escaped too (an HTML-safe encoder). */
const asciiJson = (value: unknown) =>
  JSON.stringify(value).replace(
    /[\u007f-\uffff<]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

test("a tool's argv array in a model's tool-call arguments is recorded with its passwords masked", async () => {
  const client = new OpenAI({ baseURL: `${g().gateway.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
  const tools = [
    {
      type: 'function' as const,
      function: {
        name: 'run',
        parameters: { type: 'object', properties: { argv: { type: 'array', items: { type: 'string' } } } },
      },
    },
  ];
  const messages = [{ role: 'user' as const, content: 'Check the database is up.' }];
  const answer = await client.chat.completions.create({ model: 'demo', messages, tools });
  const call = answer.choices[0]?.message.tool_calls?.[0];
  assert.equal(call?.type, 'function');
  assert.deepEqual(JSON.parse(call.type === 'function' ? call.function.arguments : '{}'), { argv: ARGV });
  const stream = await client.chat.completions.create({ model: 'demo', stream: true, messages, tools });
  for await (const _ of stream);
  // The next turn sends a call back, as the agent ran it, with the tool's answer.
  const sentBack = { command: ['/bin/sh', '-c', `PGPASSWORD='${SENT_BACK}' psql -c 'select 1' <<< x`] };
  await client.chat.completions.create({
    model: 'demo',
    tools,
    messages: [
      ...messages,
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'run', arguments: asciiJson(sentBack) } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '1' },
    ],
  });
  await g().gateway.recorder.drain();
  assert.deepEqual(
    leaksIn(g().dataDir, [MYSQL, 'copper kettle', 'kettle \\\\u00e9vening', 'kettle \\u00e9vening']),
    [],
  );
  // What the agent ran stays readable: the other words, and the rest of the line the shell runs.
  const recorded: string[] = [];
  for (const s of await g().gateway.store.ledger.listSessions({ connection: 'oa', limit: 10 }))
    for (const e of await g().gateway.store.ledger.readSession(s.id))
      recorded.push(JSON.stringify(e.payload));
  assert.ok(
    recorded.some((r) =>
      /mysql.{1,8}-uroot.{1,8}-p\[MASKED:[a-z-]+:[0-9a-f]{6}\].{1,8}-e.{1,8}select 1/.test(r),
    ),
    'the argv is in the record',
  );
  assert.ok(
    recorded.some((r) => /PGPASSWORD='\[MASKED:[a-z-]+:[0-9a-f]{6}\]' psql -c 'select 1' /.test(r)),
    'the rest of the line is in the record',
  );
});
