// A tools/call naming a tool the upstream does not list. A server may run more than it lists (a
// hidden tool) or resolve a name more loosely than Vigil compares it (case, surrounding spaces):
// such a call was forwarded with no pin to check it against (`tool_digest: null`), past
// `tools.new_tools: hold` and past a `tools.deny` pattern that names the tool as listed. It is
// refused now, recorded, and never reaches the upstream. The upstream is the official SDK's
// low-level Server over Streamable HTTP, with handlers written the lenient way.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { StoredEvent } from '../../src/core/events.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { serveSdkOverHttp } from './sdk-http-server.js';

/** What the upstream ran, by the name it resolved. */
const ran: string[] = [];

function lenientServer(): Server {
  const server = new Server({ name: 'lenient', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [
      { name: 'read_note', description: 'Reads a note.', inputSchema: { type: 'object' } },
      { name: 'delete_file', description: 'Deletes a file.', inputSchema: { type: 'object' } },
    ],
  }));
  server.setRequestHandler(CallToolRequestSchema, async (req) => {
    // Lenient resolution, and one tool it runs but never lists.
    const name = req.params.name.trim().toLowerCase();
    if (!['read_note', 'delete_file', 'wipe_all'].includes(name)) {
      return { content: [{ type: 'text', text: 'no such tool' }], isError: true };
    }
    ran.push(name);
    return { content: [{ type: 'text', text: `ran ${name}` }] };
  });
  return server;
}

interface Upstream {
  readonly url: string;
  close(): Promise<void>;
}

function startUpstream(): Promise<Upstream> {
  return serveSdkOverHttp(lenientServer);
}

let gateway: TestGateway;
let upstream: Upstream;
let alice: Client;

async function recorded(type: string): Promise<StoredEvent[]> {
  await gateway.recorder.drain();
  const sessions = await gateway.store.ledger.listSessions({ limit: 1000 });
  const all: StoredEvent[] = [];
  for (const s of sessions) all.push(...(await gateway.store.ledger.readSession(s.id)));
  return all.filter((e) => e.type === type).sort((a, b) => a.index - b.index);
}

before(async () => {
  upstream = await startUpstream();
  gateway = await startTestGateway({
    connections: [
      {
        name: 'lenient',
        type: 'mcp',
        upstream: upstream.url,
        allow: ['group:ai-eng'],
        tools: { deny: ['delete_*'], new_tools: 'hold' },
      },
    ],
  });
  alice = new Client({ name: 'vigil-test', version: '1.0.0' });
  await alice.connect(
    new StreamableHTTPClientTransport(new URL(`${gateway.url}/c/lenient/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${TOKENS.alice}` } },
    }),
  );
  const listed = await alice.listTools();
  assert.deepEqual(
    listed.tools.map((t) => t.name),
    ['read_note'],
    'delete_file is denied and hidden; the rest is pinned at first sight',
  );
});

after(async () => {
  await alice?.close();
  await gateway?.close();
  await upstream?.close();
});

async function refusedCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof McpError, String(err));
    return (err.data as { code: string }).code;
  }
  assert.fail('the call was answered');
}

test('a case or space variant of a denied tool is refused, not run as the denied tool', async () => {
  for (const name of ['DELETE_FILE', 'delete_file ', 'Delete_File']) {
    // `delete_file ` still matches the deny pattern; the others are not in the listing.
    const code = await refusedCode(alice.callTool({ name, arguments: { path: '/srv/x' } }));
    assert.ok(['tool_unapproved', 'policy_denied'].includes(code), `${name}: ${code}`);
  }
  assert.ok(!ran.includes('delete_file'), `the upstream ran: ${ran.join(', ')}`);
  const calls = (await recorded('mcp.call')).filter((e) => /delete_file/i.test(String(e.payload?.tool)));
  assert.equal(calls.length, 3);
  for (const call of calls) assert.ok(call.payload?.refused, 'recorded as refused');
});

test('a tool the upstream runs but never lists is refused under new_tools: hold', async () => {
  const code = await refusedCode(alice.callTool({ name: 'wipe_all', arguments: {} }));
  assert.equal(code, 'tool_unapproved');
  assert.ok(!ran.includes('wipe_all'), 'the unlisted tool never ran');
  const call = (await recorded('mcp.call')).find((e) => e.payload?.tool === 'wipe_all');
  assert.equal(call?.payload?.refused, 'tool_unapproved');
});

test('a listed, pinned tool still runs', async () => {
  const result = await alice.callTool({ name: 'read_note', arguments: {} });
  assert.deepEqual(result.content, [{ type: 'text', text: 'ran read_note' }]);
});
