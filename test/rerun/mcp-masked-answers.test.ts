// The MCP side of a re-run marks masked answers as the model side does. A tool result that held a
// secret is recorded masked, so `vigil rerun --mcp` serves the replacement, not the value the agent
// got then: the HTTP answer carries `x-vigil-masked: true` and the report lists the call's recorded
// position under `mcp.masked`; a result without one carries neither. Recorded through a real gateway
// in front of the demo tool server (the file it reads holds the upstream token, a known secret), served
// by the real CLI, asked with plain JSON-RPC POSTs so the header can be read.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { McpEndpointReport } from '../../src/rerun/mcp-endpoint.js';
import { type McpFixture, sdkClient, startMcpFixture, UPSTREAM_TOKEN } from '../mcp/fixture.js';
import { TOKENS } from '../support/gateway.js';
import { killLeftoverReruns, startRerun } from './rerun-cli.js';

let f: McpFixture;
let configFile: string;
let mcpSession: string;

before(async () => {
  f = await startMcpFixture();
  writeFileSync(join(f.root, 'deploy.txt'), `use ${UPSTREAM_TOKEN} for the deploy\n`);
  configFile = join(f.gateway.dataDir, 'vigil.yaml');
  const tools = {
    name: 'tools',
    type: 'mcp',
    upstream: f.upstream.url,
    credential: 'env:VIGIL_TEST_MCP_UPSTREAM',
    allow: ['group:ai-eng', 'group:contractors'],
  };
  writeFileSync(
    configFile,
    JSON.stringify({ data: f.gateway.dataDir, log_level: 'silent', connections: [tools] }),
  );
  const client = await sdkClient(`${f.gateway.url}/c/tools/mcp`, TOKENS.alice);
  try {
    await client.callTool({ name: 'read_file', arguments: { path: 'deploy.txt' } });
    await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
  } finally {
    await client.close();
  }
  const calls = await f.events('mcp.call');
  mcpSession = calls[0]!.sessionId;
  await f.upstream.close();
});

after(async () => {
  killLeftoverReruns();
  await f?.gateway.close();
});

/** One tools/call as a JSON-RPC POST: the answer's text and its x-vigil-masked header. */
async function callTool(url: string, id: number, name: string, args: object) {
  const res = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } }),
  });
  assert.equal(res.status, 200);
  return { masked: res.headers.get('x-vigil-masked'), text: await res.text() };
}

test('a tool result served with a masked value says so, and the report lists it', async () => {
  const rerun = await startRerun(configFile, mcpSession, ['--mcp', mcpSession]);
  const read = await callTool(rerun.url, 1, 'read_file', { path: 'deploy.txt' });
  const add = await callTool(rerun.url, 2, 'add', { a: 2, b: 3 });
  const { report } = await rerun.stop();
  assert.doesNotMatch(read.text, new RegExp(UPSTREAM_TOKEN));
  assert.match(read.text, /\[MASKED:known-secret:[0-9a-f]{6}\]/);
  assert.equal(read.masked, 'true');
  assert.match(add.text, /"5"/);
  assert.equal(add.masked, null, 'an answer without a masked value is not marked');
  const mcp = report.mcp as McpEndpointReport | undefined;
  assert.equal(mcp?.answered, 2);
  assert.deepEqual(mcp?.masked, [1]);
  assert.deepEqual(mcp?.reads.masked, []);
});
