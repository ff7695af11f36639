// A command given as an array of words whose program is named nowhere beside it (`{"args":
// ["-uroot", "-p…"]}`), named beside it in a JSON text (a model's `function.arguments`, an MCP tool
// argument holding a container spec as text: `{"command": "mysql", "args": ["-p…"]}`), or holding a
// number among its words (`["mysql", 3306, "-p…"]`). Each was recorded with its password of words
// in clear until 7 December. Through the gateway with the official openai SDK (the stand-in model's
// tool call, whole, streamed, and sent back in the next turn) and the official MCP SDK client; the
// data directory and the gateway's log are searched for every password.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { type McpFixture, sdkClient, startMcpFixture } from '../mcp/fixture.js';
import { dataDirFiles } from '../support/data-dir-files.js';
import { TOKENS } from '../support/gateway.js';
import { leaksIn } from './logged-gateway.js';
import { toolCallingGatewayForFile } from './tool-calling-gateway.js';

const NAMED_BESIDE = 'amber tide lullaby';
const MIXED = 'copper kettle morning';
const UNNAMED = 'S3cr3t lantern words';
const SPEC = 'velvet harbour signal';
const CALL = {
  command: 'mysql',
  args: ['-hdb', `-p${NAMED_BESIDE}`, '-e', 'select 1'],
  argv: ['mysql', 3306, `-p${MIXED}`, true],
  job: { args: ['-uroot', `-p${UNNAMED}`] },
};
const g = toolCallingGatewayForFile('argv-unnamed-mixed', { name: 'run', arguments: CALL });
let mcp: McpFixture;

before(async () => {
  mcp = await startMcpFixture();
});
after(async () => {
  await mcp?.close();
});

test("a model's tool call naming the program beside its args, holding a number, or naming none, is recorded masked", async () => {
  const client = new OpenAI({ baseURL: `${g().gateway.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
  const tools = [{ type: 'function' as const, function: { name: 'run', parameters: { type: 'object' } } }];
  const messages = [{ role: 'user' as const, content: 'Check the database is up.' }];
  const answer = await client.chat.completions.create({ model: 'demo', messages, tools });
  const call = answer.choices[0]?.message.tool_calls?.[0];
  assert.equal(call?.type, 'function');
  const sent = call.type === 'function' ? call.function.arguments : '{}';
  assert.deepEqual(JSON.parse(sent), CALL, 'the client gets the call as the model made it');
  const stream = await client.chat.completions.create({ model: 'demo', stream: true, messages, tools });
  for await (const _ of stream);
  await client.chat.completions.create({
    model: 'demo',
    tools,
    messages: [
      ...messages,
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'run', arguments: sent } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '1' },
    ],
  });
  await g().gateway.recorder.drain();
  assert.deepEqual(
    leaksIn(g().dataDir, [NAMED_BESIDE, MIXED, UNNAMED, 'lantern words', 'kettle morning']),
    [],
  );
  // The other words stay readable.
  const recorded: string[] = [];
  for (const s of await g().gateway.store.ledger.listSessions({ connection: 'oa', limit: 10 }))
    for (const e of await g().gateway.store.ledger.readSession(s.id))
      recorded.push(JSON.stringify(e.payload));
  assert.ok(
    recorded.some((r) => /mysql.{1,12}3306.{1,8}-p\[MASKED:[a-z-]+:[0-9a-f]{6}\].{1,8}true/.test(r)),
    'the mixed argv is in the record',
  );
  assert.ok(
    recorded.some((r) => /-uroot.{1,8}-p\[MASKED:[a-z-]+:[0-9a-f]{6}\]/.test(r)),
    'the unnamed args',
  );
});

test("an MCP tool call's args with no program named, and a container spec written as text, are recorded masked", async () => {
  const args = {
    path: 'hello.txt',
    args: ['-uroot', `-p${UNNAMED}`, '--database', 'app'],
    spec: JSON.stringify({ Entrypoint: ['mysql'], Cmd: [`-p${SPEC}`, '-e', 'select 1'] }),
  };
  const client = await sdkClient(`${mcp.gateway.url}/c/tools/mcp`, TOKENS.alice);
  try {
    await client.callTool({ name: 'read_file', arguments: args });
  } finally {
    await client.close();
  }
  const [recorded] = await mcp.events('mcp.call');
  const got = recorded?.payload?.arguments as { args: string[]; spec: string };
  assert.deepEqual([got.args[0], ...got.args.slice(2)], ['-uroot', '--database', 'app']);
  assert.match(got.args[1]!, /^-p\[MASKED:shell-secret:[0-9a-f]{6}\]$/);
  assert.deepEqual(JSON.parse(got.spec).Cmd.slice(1), ['-e', 'select 1']);
  assert.deepEqual(
    mcp.arrivals.find((a) => a.tool === 'read_file')?.args,
    args,
    'the tool server got the call as sent',
  );
  for (const { path, bytes } of dataDirFiles(mcp.gateway.dataDir))
    for (const secret of [UNNAMED, SPEC])
      assert.ok(!bytes.includes(Buffer.from(secret)), `${path} holds ${secret}`);
});

// A payload object's array holding a number is read as words too (structured.ts, argvWords).
test("an MCP tool call's argv holding a number is recorded masked", async () => {
  const args = { path: 'hello.txt', argv: ['mysql', 3306, `-p${MIXED}`] };
  const client = await sdkClient(`${mcp.gateway.url}/c/tools/mcp`, TOKENS.alice);
  try {
    await client.callTool({ name: 'read_file', arguments: args });
  } finally {
    await client.close();
  }
  await mcp.events();
  for (const { path, bytes } of dataDirFiles(mcp.gateway.dataDir))
    assert.ok(!bytes.includes(Buffer.from(MIXED)), `${path} holds ${MIXED}`);
});
