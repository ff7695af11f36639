// The stateless revision (2026-07-28) over a stdio upstream: Vigil ran one process per connection
// for every caller, and a message that process sent on its own (progress, a log line, a sampling
// request with the prompt it carries) went with the newest request in flight, whoever sent it.
// Bob's request, arriving while Alice's call ran, carried Alice's progress notifications (and her
// server's requests would have asked Bob's model). Each identity now has its own process.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';

let gateway: TestGateway;

before(async () => {
  const root = mkdtempSync(join(tmpdir(), 'vigil-mcp-stateless-'));
  gateway = await startTestGateway({
    connections: [
      {
        name: 'local-tools',
        type: 'mcp',
        upstream: 'stdio',
        command: [process.execPath, '--import', 'tsx', 'src/demo/mcp-tools/stdio.ts', root],
        allow: ['group:ai-eng', 'group:contractors'],
      },
    ],
  });
});

after(async () => {
  await gateway?.close();
});

function statelessSleep(token: string, id: string, ms: number, progressToken?: string): Promise<Response> {
  return fetch(`${gateway.url}/c/local-tools/mcp`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'mcp-protocol-version': '2026-07-28',
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: {
        name: 'sleep',
        arguments: { ms },
        ...(progressToken ? { _meta: { progressToken } } : {}),
      },
    }),
  });
}

test("one caller's stateless request never carries another's server messages", async () => {
  // Warm the processes (and pin the tools) so both calls below run at once.
  await (await statelessSleep(TOKENS.alice, 'warm-a', 0)).text();
  await (await statelessSleep(TOKENS.bob, 'warm-b', 0)).text();
  const alice = statelessSleep(TOKENS.alice, 'a1', 800, 'alice-progress-token');
  await new Promise((r) => setTimeout(r, 250));
  const bob = await (await statelessSleep(TOKENS.bob, 'b1', 700)).text();
  assert.ok(!bob.includes('alice-progress-token'), `Bob's answer carried Alice's messages:\n${bob}`);
  const aliceText = await (await alice).text();
  assert.match(aliceText, /alice-progress-token/, 'Alice gets her own progress');
  assert.match(aliceText, /slept 800 ms/);
});
