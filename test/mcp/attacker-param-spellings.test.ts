// A tools/call whose arguments are spelled `ARGUMENTS` (or `Arguments`, `argumentſ`). Go's
// encoding/json, which mark3labs/mcp-go and the servers built on it decode params with, matches
// keys to fields ignoring case, so such a server ran the arguments; Vigil read `params.arguments`
// as absent and judged, recorded and bound a review to `run_sql {}`, past a rule denying
// `DROP TABLE`. The same went for a task-augmented call spelled `Task`, which Vigil refuses. The
// upstream here is the official SDK's server behind a decoder that reads params as Go does; the
// client is the official SDK client.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  CallToolResultSchema,
  ListToolsRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { foldedKey } from '../../src/http/json-keys.js';
import { connectionEvents, startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { sdkClient } from './fixture.js';
import { type SdkHttpServer, serveSdkOverHttp } from './sdk-http-server.js';

/** The statements the upstream's tool ran. */
const ran: string[] = [];

function sqlServer(): Server {
  const server = new Server({ name: 'sql', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [
      {
        name: 'run_sql',
        description: 'Runs one SQL statement.',
        inputSchema: { type: 'object', properties: { sql: { type: 'string' } } },
      },
    ],
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const sql = String(request.params.arguments?.sql ?? '');
    ran.push(sql);
    return { content: [{ type: 'text', text: `ran ${sql || 'nothing'}` }] };
  });
  return server;
}

/** Params as Go's encoding/json decodes them into mcp-go's structs: a key matches its field ignoring case. */
function readAsGo(params: Record<string, unknown>): void {
  for (const field of ['name', 'arguments', 'task', '_meta']) {
    if (field in params) continue;
    const key = Object.keys(params).find((k) => foldedKey(k) === field);
    if (key !== undefined) {
      params[field] = params[key];
      delete params[key];
    }
  }
}

let upstream: SdkHttpServer;
let gateway: TestGateway;
let alice: Client;

before(async () => {
  upstream = await serveSdkOverHttp(sqlServer, (_req, _raw, body) => {
    const params = body?.params;
    if (typeof params === 'object' && params !== null) readAsGo(params as Record<string, unknown>);
  });
  gateway = await startTestGateway({
    connections: [{ name: 'sql', type: 'mcp', upstream: upstream.url, allow: ['group:ai-eng'] }],
    policy: {
      rules: [
        { name: 'no-drops', match: { events: ['mcp.call'], pattern: '(?i)drop\\s+table' }, action: 'deny' },
      ],
    },
  });
  alice = await sdkClient(`${gateway.url}/c/sql/mcp`, TOKENS.alice);
  await alice.listTools();
});

after(async () => {
  await alice?.close();
  await gateway?.close();
  await upstream?.close();
});

const DROP = { sql: 'DROP TABLE users' };

test('the denied statement sent as arguments is refused', async () => {
  await assert.rejects(alice.callTool({ name: 'run_sql', arguments: DROP }), /no-drops/);
  assert.deepEqual(ran, []);
});

test('arguments under another spelling of the key never reach the server', async () => {
  for (const key of ['ARGUMENTS', 'Arguments', 'argumentſ']) {
    await assert.rejects(
      alice.request(
        { method: 'tools/call', params: { name: 'run_sql', [key]: DROP } as never },
        CallToolResultSchema,
      ),
      /arguments/,
      key,
    );
  }
  assert.deepEqual(ran, [], 'the server ran a statement the policy denies');
  const calls = await connectionEvents(gateway, 'sql', 'mcp.call');
  assert.deepEqual(
    calls.map((c) => c.payload?.arguments),
    [DROP],
    'only the call sent as arguments was judged; none was recorded as a call with no arguments',
  );
  const denied = await connectionEvents(gateway, 'sql', 'access.denied');
  assert.equal(denied.filter((e) => JSON.stringify(e.payload).includes('protocol_violation')).length, 3);
});

test('a task-augmented call spelled otherwise is refused as one spelled `task` is', async () => {
  await assert.rejects(
    alice.request(
      {
        method: 'tools/call',
        params: { name: 'run_sql', arguments: { sql: 'SELECT 1' }, Task: { ttl: 60000 } } as never,
      },
      CallToolResultSchema,
    ),
  );
  assert.deepEqual(ran, []);
});

test('an ordinary call, and arguments with keys in any case, still run', async () => {
  const result = await alice.callTool({ name: 'run_sql', arguments: { sql: 'SELECT 1', Comment: 'x' } });
  assert.deepEqual(result.content, [{ type: 'text', text: 'ran SELECT 1' }]);
  assert.deepEqual(ran, ['SELECT 1']);
});
