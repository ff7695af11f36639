// A resource read, a prompt fetched with arguments and a completion request carry what a client
// asks a server for (a file's URI, a path typed into a prompt); they are actions policy judges,
// like tool calls: a deny rule refuses them before the upstream sees them, and a rule without
// `events` covers them too. Real parts: the official MCP SDK client, Vigil, the demo tool server.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { assertLedgerVerifies, TOKENS } from '../support/gateway.js';
import { type McpFixture, sdkClient, startMcpFixture } from './fixture.js';

let f: McpFixture;
let alice: Client;

before(async () => {
  f = await startMcpFixture({
    policy: {
      rules: [
        { name: 'no-readme', match: { events: ['mcp.read'], pattern: 'demo://readme' }, action: 'deny' },
        // No `events`: every action whose text names the file.
        { name: 'no-secret-file', match: { pattern: 'secret\\.txt' }, action: 'deny' },
      ],
    },
  });
  alice = await sdkClient(`${f.gateway.url}/c/tools/mcp`, TOKENS.alice);
});

after(async () => {
  await alice?.close();
  await f?.close();
});

async function assertRefused(rule: string, request: () => Promise<unknown>): Promise<void> {
  const before = f.arrivals.length;
  await assert.rejects(request, (err: unknown) => {
    assert.ok(err instanceof McpError, String(err));
    assert.equal((err.data as { code: string; rule: string }).rule, rule);
    return true;
  });
  // The client's own GET stream may open meanwhile (no method); no request reached the upstream.
  assert.deepEqual(
    f.arrivals
      .slice(before)
      .map((a) => a.method)
      .filter((m) => m !== null),
    [],
    'the upstream never saw it',
  );
}

test('a deny rule on mcp.read refuses a resource read before the upstream sees it', async () => {
  await assertRefused('no-readme', () => alice.readResource({ uri: 'demo://readme' }));
  // Recorded, and followed by the decision that refused it.
  const [read] = (await f.events('mcp.read')).slice(-1);
  assert.equal(read?.payload?.uri, 'demo://readme');
  const decision = (await f.events('policy.decision')).find((e) => e.payload?.rule === 'no-readme');
  assert.equal(decision?.sessionId, read?.sessionId);
  assert.equal(decision?.payload?.action, 'deny');
});

test('a rule without events holds prompts/get and completion/complete arguments too', async () => {
  await assertRefused('no-secret-file', () =>
    alice.getPrompt({ name: 'summarize', arguments: { path: 'secret.txt' } }),
  );
  await assertRefused('no-secret-file', () =>
    alice.complete({
      ref: { type: 'ref/prompt', name: 'summarize' },
      argument: { name: 'path', value: 'secret.txt' },
    }),
  );
  // What no rule names passes as before.
  const prompt = await alice.getPrompt({ name: 'summarize', arguments: { path: 'hello.txt' } });
  assert.ok(prompt.messages.length > 0);
  await assertLedgerVerifies(f.gateway);
});
