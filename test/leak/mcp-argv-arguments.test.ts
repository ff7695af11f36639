// An agent's tool may take its command as an array of words rather than a line: `{"argv": ["mysql",
// "-uroot", "-p…"]}`, a container's `"command": ["sh", "-c", "PGPASSWORD=… psql"]`, `{"args":
// ["--password", "…"]}`. Each element was read alone, where `-p…` is no mysql option and the word
// after `--password` no value, so a password of words was recorded as sent. The words are now read
// as one command (src/mask/shell-argv.ts) and each secret masked in its element; the tool server
// gets the call as sent. Through the gateway with the official MCP SDK client.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type McpFixture, sdkClient, startMcpFixture } from '../mcp/fixture.js';
import { dataDirFiles } from '../support/data-dir-files.js';
import { TOKENS } from '../support/gateway.js';

const MYSQL = 'S3cr3t lantern words';
const PG = 'amber-tide-lullaby';
const FLAG = 'hunter2 copper kettle';
let f: McpFixture;

before(async () => {
  f = await startMcpFixture();
});
after(async () => {
  await f?.close();
});

test("a tool's argv array is recorded with its passwords masked and its other words as sent", async () => {
  const args = {
    path: 'hello.txt',
    argv: ['mysql', '-uroot', `-p${MYSQL}`, '-e', 'select 1'],
    command: ['sh', '-c', `PGPASSWORD=${PG} psql -h db -c 'select 1'`],
    args: ['--password', FLAG, '--verbose'],
  };
  const client = await sdkClient(`${f.gateway.url}/c/tools/mcp`, TOKENS.alice);
  try {
    await client.callTool({ name: 'read_file', arguments: args });
  } finally {
    await client.close();
  }
  const [call] = await f.events('mcp.call');
  const recorded = call?.payload?.arguments as Record<string, string[]>;
  const masked = /^\[MASKED:shell-secret:[0-9a-f]{6}\]$/;
  assert.deepEqual(recorded.argv!.slice(0, 2), ['mysql', '-uroot']);
  assert.match(recorded.argv![2]!.slice(2), masked);
  assert.deepEqual(recorded.argv!.slice(3), ['-e', 'select 1']);
  assert.match(
    recorded.command![2]!,
    /^PGPASSWORD=\[MASKED:shell-secret:[0-9a-f]{6}\] psql -h db -c 'select 1'$/,
  );
  assert.deepEqual([recorded.args![0], recorded.args![2]], ['--password', '--verbose']);
  assert.match(recorded.args![1]!, masked);
  // The tool server got the call as sent.
  assert.deepEqual(f.arrivals.find((a) => a.tool === 'read_file')?.args, args);
  for (const { path, bytes } of dataDirFiles(f.gateway.dataDir))
    for (const secret of [MYSQL, PG, FLAG])
      assert.ok(!bytes.includes(Buffer.from(secret)), `${path} holds ${secret}`);
});
