// What the gateway refused is refused again in a re-run: a tool the connection's deny list hides is
// not listed by `vigil rerun --mcp` either, a call to it and a call a policy rule denied get the
// same JSON-RPC errors (message and Vigil code) as they did through the gateway, and an allowed call
// its recorded result. Recorded through a real gateway in front of the demo MCP tool server with the
// official SDK client; the upstream stopped; the real CLI re-runs the MCP session on its own.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { type McpFixture, sdkClient, startMcpFixture } from '../mcp/fixture.js';
import { TOKENS } from '../support/gateway.js';
import { killLeftoverReruns, startRerun } from './rerun-cli.js';

let f: McpFixture;
let configFile: string;
let mcpSession: string;
let upstreamStopped = false;

/** The client's steps; each gives what the client saw, a result or an error's message and data. */
async function steps(client: Client): Promise<unknown[]> {
  const seen = async (p: Promise<unknown>) =>
    p.then(
      (result) => ({ result }),
      (err: unknown) => {
        assert.ok(err instanceof McpError, String(err));
        return { code: err.code, message: err.message, dataCode: (err.data as { code?: string }).code };
      },
    );
  return [
    (await client.listTools()).tools.map((t) => t.name),
    await seen(client.callTool({ name: 'list_files', arguments: { path: '.' } })),
    await seen(client.callTool({ name: 'multiply', arguments: { a: 12345, b: 2 } })),
    await seen(client.callTool({ name: 'multiply', arguments: { a: 6, b: 7 } })),
  ];
}

let recorded: unknown[];

before(async () => {
  const tools = { tools: { deny: ['list_files'] } };
  f = await startMcpFixture({
    connections: [tools],
    policy: {
      rules: [
        {
          name: 'no-huge-products',
          match: {
            connections: ['tools'],
            events: ['mcp.call'],
            tools: ['multiply'],
            pattern: '"a":\\d{4,}',
          },
          action: 'deny',
          reason: 'products of huge numbers are not allowed',
        },
      ],
    },
  });
  configFile = join(f.gateway.dataDir, 'vigil.yaml');
  const connection = {
    name: 'tools',
    type: 'mcp',
    upstream: f.upstream.url,
    credential: 'env:VIGIL_TEST_MCP_UPSTREAM',
    allow: ['group:ai-eng', 'group:contractors'],
    ...tools,
  };
  writeFileSync(
    configFile,
    JSON.stringify({ data: f.gateway.dataDir, log_level: 'silent', connections: [connection] }),
  );
  const client = await sdkClient(`${f.gateway.url}/c/tools/mcp`, TOKENS.alice);
  try {
    recorded = await steps(client);
  } finally {
    await client.close();
  }
  await f.gateway.recorder.drain();
  mcpSession = (await f.events('mcp.call'))[0]!.sessionId;
  await f.upstream.close();
  upstreamStopped = true;
});

after(async () => {
  killLeftoverReruns();
  if (!upstreamStopped) await f?.upstream.close();
  await f?.gateway.close();
});

test('hidden tools stay hidden and refused calls are refused again, as the gateway refused them', async () => {
  assert.ok(!(recorded[0] as string[]).includes('list_files'));
  assert.equal((recorded[1] as { dataCode?: string }).dataCode, 'policy_denied');
  assert.match((recorded[2] as { message?: string }).message ?? '', /no-huge-products/);
  assert.ok('result' in (recorded[3] as object));
  // An MCP session re-run on its own: it is the session argument too, with no model calls.
  const rerun = await startRerun(configFile, mcpSession, ['--mcp', mcpSession]);
  const client = await sdkClient(`${rerun.url}/mcp`, TOKENS.alice);
  let again: unknown[];
  try {
    again = await steps(client);
  } finally {
    await client.close();
  }
  const { code, report } = await rerun.stop();
  assert.deepEqual(again, recorded);
  assert.equal(code, 0);
  assert.equal(report.mcp?.answered, 3);
  assert.deepEqual(report.mcp?.unmatched, []);
  assert.deepEqual(report.mcp?.unanswerable, []);
});
