// `vigil mcp-bridge` fed by a pipe: a client that writes its requests and closes stdin at once
// (`printf … | vigil mcp-bridge tools`). Until 7 December the bridge ended the gateway session as
// soon as stdin ended, so the requests still in flight were aborted ("This operation was aborted")
// and nothing was answered; it now waits for their answers, writes them, and exits 0.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type McpFixture, startMcpFixture } from '../mcp/fixture.js';
import { runProcess } from '../support/cli.js';
import { TOKENS } from '../support/gateway.js';

let f: McpFixture;

before(async () => {
  f = await startMcpFixture();
});

after(async () => {
  await f?.close();
});

const lines = (...messages: object[]) => messages.map((m) => `${JSON.stringify(m)}\n`).join('');

function bridgeWith(input: string, extra: readonly string[] = []) {
  // As runCli does, with standard input: no stored token or gateway of the machine's user leaks in.
  return runProcess(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/run.ts',
      'mcp-bridge',
      'tools',
      '--gateway',
      f.gateway.url,
      '--token',
      TOKENS.alice,
      ...extra,
    ],
    { VIGIL_TOKEN: '', VIGIL_GATEWAY: '', XDG_CONFIG_HOME: '/nonexistent' },
    input,
  );
}

function answers(
  stdout: string,
): Map<unknown, { result?: Record<string, unknown>; error?: { message: string } }> {
  const parsed = stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map(
      (l) => JSON.parse(l) as { id?: unknown; result?: Record<string, unknown>; error?: { message: string } },
    );
  return new Map(parsed.filter((m) => m.id !== undefined).map((m) => [m.id, m]));
}

test('requests piped in before stdin ends are all answered, then the bridge exits 0', async () => {
  const run = await bridgeWith(
    lines(
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-11-25',
          capabilities: {},
          clientInfo: { name: 'pipe', version: '1' },
        },
      },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
      {
        jsonrpc: '2.0',
        id: 'call',
        method: 'tools/call',
        params: { name: 'add', arguments: { a: 20, b: 22 } },
      },
    ),
  );
  assert.equal(run.code, 0, run.stderr);
  assert.doesNotMatch(run.stderr, /aborted/);
  const got = answers(run.stdout);
  assert.equal(typeof got.get(1)?.result?.protocolVersion, 'string', run.stdout);
  const tools = got.get(2)?.result?.tools as { name: string }[] | undefined;
  assert.ok(
    tools?.some((t) => t.name === 'add'),
    run.stdout,
  );
  assert.deepEqual(got.get('call')?.result?.content, [{ type: 'text', text: '42' }], run.stdout);
  const recorded = (await f.events('mcp.call')).filter((e) => e.payload?.tool === 'add');
  assert.ok(recorded.some((e) => e.identity.subject === 'alice'));
});

test('an empty pipe ends at once, and --wait must be a number of seconds', async () => {
  const empty = await bridgeWith('');
  assert.equal(empty.code, 0, empty.stderr);
  assert.equal(empty.stdout, '');
  const bad = await bridgeWith('', ['--wait', 'soon']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /--wait/);
});

test('a request still unanswered --wait seconds after stdin ends gets an error answer', async () => {
  const run = await bridgeWith(
    lines(
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-11-25',
          capabilities: {},
          clientInfo: { name: 'pipe', version: '1' },
        },
      },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'sleep', arguments: { ms: 20000 } } },
    ),
    ['--wait', '1'],
  );
  assert.equal(run.code, 0, run.stderr);
  const got = answers(run.stdout);
  assert.equal(typeof got.get(1)?.result?.protocolVersion, 'string', run.stdout);
  assert.match(got.get(2)?.error?.message ?? '', /no answer from the gateway within 1s/, run.stdout);
});
