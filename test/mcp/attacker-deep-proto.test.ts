// A key named `__proto__` in what a client sends. JSON.parse keeps it as an ordinary key, and the
// message Vigil forwards carries it to the server, but a record built by copying keys into a new
// object (`out[key] = value`, as the masker does) sets the copy's prototype instead of a key: the
// ledger showed the call without it while the server got it. A Python or Go server reads it as
// any other argument (`**kwargs`, a map), so data reached the target unrecorded. Such a message is
// refused now, recorded, and never forwarded.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { recordedEvents, type TestGateway } from '../support/gateway.js';
import { type SdkGateway, startSdkGateway } from './sdk-gateway.js';

/** The raw bodies of the tools/call requests that reached the upstream. */
const arrived: string[] = [];

function echoServer(): Server {
  const server = new Server({ name: 'echo', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [{ name: 'note', description: 'Keeps a note.', inputSchema: { type: 'object' } }],
  }));
  server.setRequestHandler(CallToolRequestSchema, async () => ({
    content: [{ type: 'text', text: 'kept' }],
  }));
  return server;
}

let fixture: SdkGateway | undefined;
let gateway: TestGateway;
let alice: Client;

before(async () => {
  fixture = await startSdkGateway('echo', echoServer, (_req, raw, body) => {
    if (body?.method === 'tools/call') arrived.push(raw);
  });
  ({ gateway, alice } = fixture);
  await alice.listTools();
});

after(() => fixture?.close());

const recorded = (type: string) => recordedEvents(gateway, type);

/** Every argument the upstream got was recorded with the call: the record is the target's view. */
async function assertArrivalsRecorded(): Promise<void> {
  const calls = (await recorded('mcp.call')).filter((e) => !e.payload?.refused);
  for (const raw of arrived) {
    const args = (JSON.parse(raw) as { params: { arguments: Record<string, unknown> } }).params.arguments;
    const match = calls.find(
      (c) =>
        JSON.stringify(Object.keys(c.payload?.arguments as object).sort()) ===
        JSON.stringify(Object.keys(args).sort()),
    );
    assert.ok(match, `the upstream got ${raw} and no recorded call has those arguments`);
  }
}

test('a __proto__ argument never reaches the upstream without being in the record', async () => {
  const args = JSON.parse('{"note":"hello","__proto__":"exfil-4f1c9a"}') as Record<string, unknown>;
  const deniedBefore = (await recorded('access.denied')).length;
  await alice.callTool({ name: 'note', arguments: args }).catch(() => undefined);
  await assertArrivalsRecorded();
  assert.ok(!arrived.some((raw) => raw.includes('exfil-4f1c9a')), 'refused, not forwarded');
  const denied = (await recorded('access.denied')).slice(deniedBefore);
  assert.ok(
    denied.some((e) => JSON.stringify(e.payload).includes('protocol_violation')),
    'the refusal is recorded',
  );
});

test('a nested __proto__ key is refused too', async () => {
  const args = JSON.parse('{"note":"hello","meta":{"__proto__":{"x":"exfil-77ab"}}}') as Record<
    string,
    unknown
  >;
  await assert.rejects(alice.callTool({ name: 'note', arguments: args }));
  assert.ok(!arrived.some((raw) => raw.includes('exfil-77ab')), 'never forwarded');
});

test('an ordinary call is still forwarded and recorded', async () => {
  const result = await alice.callTool({ name: 'note', arguments: { note: 'plain' } });
  assert.deepEqual(result.content, [{ type: 'text', text: 'kept' }]);
  await assertArrivalsRecorded();
});
