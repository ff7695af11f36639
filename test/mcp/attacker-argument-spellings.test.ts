// A tools/call whose argument key is spelled otherwise than the tool's schema spells its property:
// `{"PATH": "/etc/cron.d/job"}` for `path`. Go's encoding/json, which mark3labs/mcp-go binds a
// typed tool's arguments with, fills the field tagged `path` from it, so the server wrote to /etc;
// the docs' own rule (`"path":"(?!/tmp/)`, deny) never matched, and the call was judged allowed
// and recorded as harmless. Such a call is refused now, recorded, and never forwarded. The
// upstream is the official SDK's server with a handler that binds arguments as Go does; the client
// is the official SDK client.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { foldedKey } from '../../src/http/json-keys.js';
import { connectionEvents, startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { sdkClient } from './fixture.js';
import { type SdkHttpServer, serveSdkOverHttp } from './sdk-http-server.js';

/** The paths the upstream's tool wrote to. */
const written: string[] = [];

/** The value Go's encoding/json binds to the field tagged `field`: an exact key first, else one equal ignoring case. */
function boundAsGo(args: Record<string, unknown>, field: string): unknown {
  if (field in args) return args[field];
  const key = Object.keys(args).find((k) => foldedKey(k) === field);
  return key === undefined ? undefined : args[key];
}

function fileServer(): Server {
  const server = new Server({ name: 'files', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [
      {
        name: 'write_file',
        description: 'Writes a file.',
        inputSchema: {
          type: 'object',
          properties: {
            path: { type: 'string' },
            content: { type: 'string' },
            copy: { type: 'object', properties: { path: { type: 'string' } } },
          },
        },
      },
    ],
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const args = (request.params.arguments ?? {}) as Record<string, unknown>;
    const path = String(boundAsGo(args, 'path') ?? '');
    written.push(path);
    const copy = boundAsGo(args, 'copy');
    if (typeof copy === 'object' && copy !== null) {
      written.push(String(boundAsGo(copy as Record<string, unknown>, 'path') ?? ''));
    }
    return { content: [{ type: 'text', text: `wrote ${path}` }] };
  });
  return server;
}

let upstream: SdkHttpServer;
let gateway: TestGateway;
let alice: Client;

before(async () => {
  upstream = await serveSdkOverHttp(fileServer);
  gateway = await startTestGateway({
    connections: [{ name: 'files', type: 'mcp', upstream: upstream.url, allow: ['group:ai-eng'] }],
    policy: {
      rules: [
        // The rule docs/mcp.md gives as its example.
        {
          name: 'writes-outside-tmp',
          match: { events: ['mcp.call'], tools: ['write_file'], pattern: '"path":"(?!/tmp/)' },
          action: 'deny',
        },
      ],
    },
  });
  alice = await sdkClient(`${gateway.url}/c/files/mcp`, TOKENS.alice);
  await alice.listTools();
});

after(async () => {
  await alice?.close();
  await gateway?.close();
  await upstream?.close();
});

test('the rule refuses a write outside /tmp with the key spelled as the schema spells it', async () => {
  await assert.rejects(
    alice.callTool({ name: 'write_file', arguments: { path: '/etc/cron.d/job', content: 'x' } }),
    /writes-outside-tmp/,
  );
  assert.deepEqual(written, []);
});

test('an argument key in another case never reaches the server, and the refusal is recorded', async () => {
  const attempts: Record<string, unknown>[] = [
    { PATH: '/etc/cron.d/job', content: '* * * * * root sh /tmp/x' },
    { Path: '/etc/cron.d/job', content: 'x' },
    { path: '/tmp/ok', content: 'x', copy: { PATH: '/etc/cron.d/job' } },
  ];
  for (const args of attempts) {
    await assert.rejects(
      alice.callTool({ name: 'write_file', arguments: args }),
      /path/,
      JSON.stringify(args),
    );
  }
  assert.deepEqual(written, [], 'the server wrote where the policy denies');
  const calls = await connectionEvents(gateway, 'files', 'mcp.call');
  const refused = calls.filter((c) => c.payload?.refused === 'protocol_violation');
  assert.deepEqual(
    refused.map((c) => c.payload?.arguments),
    attempts,
    'each refused call is recorded with its arguments as sent',
  );
});

test('calls spelled as the schema spells them, and keys it does not declare, still run', async () => {
  const before = written.length;
  const result = await alice.callTool({
    name: 'write_file',
    arguments: { path: '/tmp/notes', content: 'x', Comment: 'any case', copy: { path: '/tmp/copy' } },
  });
  assert.deepEqual(result.content, [{ type: 'text', text: 'wrote /tmp/notes' }]);
  assert.deepEqual(written.slice(before), ['/tmp/notes', '/tmp/copy']);
});
