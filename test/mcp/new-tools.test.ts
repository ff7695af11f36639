// `tools.new_tools: hold`: a tool that appears after the first listing is held like a changed one,
// its appearance recorded, until an admin approves it; the first listing pins what it sees.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { runCli } from '../support/cli.js';
import { TOKENS } from '../support/gateway.js';
import { type McpFixture, sdkClient, startMcpFixture } from './fixture.js';

let f: McpFixture;
let alice: Client;

before(async () => {
  f = await startMcpFixture({ connections: [{ tools: { new_tools: 'hold' } }] });
  f.upstream.updateTool('multiply', { enabled: false });
  alice = await sdkClient(`${f.gateway.url}/c/tools/mcp`, TOKENS.alice);
});

after(async () => {
  await alice?.close();
  await f?.close();
});

test('a tool first seen after the first listing is held until approved', async () => {
  const first = await alice.listTools();
  assert.ok(!first.tools.some((t) => t.name === 'multiply'));
  assert.deepEqual((await alice.callTool({ name: 'add', arguments: { a: 1, b: 1 } })).content, [
    { type: 'text', text: '2' },
  ]);

  f.upstream.updateTool('multiply', { enabled: true });
  // Held: recorded, but not shown to the client, so its description reaches no model.
  const second = await alice.listTools();
  assert.ok(!second.tools.some((t) => t.name === 'multiply'));
  const listing = (await f.events('mcp.tools')).at(-1)!;
  const multiply = (listing.payload!.tools as { name: string; status: string; hidden?: boolean }[]).find(
    (t) => t.name === 'multiply',
  );
  assert.equal(multiply?.status, 'unapproved');
  assert.equal(multiply?.hidden, true);
  const change = (await f.events('mcp.tool_changed')).find((e) => e.payload?.tool === 'multiply');
  assert.equal(change?.payload?.change, 'new');

  await assert.rejects(alice.callTool({ name: 'multiply', arguments: { a: 2, b: 3 } }), (err: unknown) => {
    assert.ok(err instanceof McpError);
    assert.equal((err.data as { code: string }).code, 'tool_unapproved');
    return true;
  });
  assert.ok(!f.arrivals.some((a) => a.tool === 'multiply'), 'the upstream never saw the held call');

  const approved = await runCli(['--data', f.gateway.dataDir, 'mcp', 'approve-tool', 'tools', 'multiply']);
  assert.equal(approved.code, 0, approved.stderr);
  assert.deepEqual((await alice.callTool({ name: 'multiply', arguments: { a: 2, b: 3 } })).content, [
    { type: 'text', text: '6' },
  ]);
  assert.ok(
    (await alice.listTools()).tools.some((t) => t.name === 'multiply'),
    'shown once approved',
  );
});
