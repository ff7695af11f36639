// A completion for a resource template's argument lists the names the template makes URIs of: a
// read rule (`events: [mcp.read]`) that denies those URIs held for reads and subscriptions only, so
// a client asked the server to complete `secret://files/{name}` and learnt every file name under a
// URI it may not read. Real parts: the official SDK's server and client, Vigil between them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import {
  assertLedgerVerifies,
  recordedEvents,
  startTestGateway,
  type TestGateway,
  TOKENS,
} from '../support/gateway.js';
import { sdkClient } from './fixture.js';
import { type SdkHttpServer, serveSdkOverHttp } from './sdk-http-server.js';

const arrived: string[] = [];

function templatedServer(): McpServer {
  const server = new McpServer({ name: 'templated', version: '1.0.0' });
  const read = async (uri: URL) => ({ contents: [{ uri: uri.href, text: 'x' }] });
  server.registerResource(
    'files',
    new ResourceTemplate('secret://files/{name}', {
      list: undefined,
      complete: { name: () => ['payroll-2026.xlsx', 'merger-plan.docx'] },
    }),
    {},
    read,
  );
  server.registerResource(
    'vault',
    new ResourceTemplate('vault://{name}', {
      list: undefined,
      complete: { name: (value) => ['alpha', 'beta-keys', 'gamma'].filter((v) => v.startsWith(value)) },
    }),
    {},
    read,
  );
  return server;
}

let upstream: SdkHttpServer;
let gateway: TestGateway;
let alice: Client;

before(async () => {
  upstream = await serveSdkOverHttp(templatedServer, (_req, _raw, body) => {
    if (typeof body?.method === 'string') arrived.push(body.method);
  });
  gateway = await startTestGateway({
    policy: {
      rules: [
        {
          name: 'no-secret-files',
          match: { events: ['mcp.read'], pattern: '^secret://files/' },
          action: 'deny',
        },
        { name: 'no-beta', match: { events: ['mcp.read'], pattern: '^vault://beta' }, action: 'deny' },
      ],
    },
    connections: [{ name: 'night', type: 'mcp', upstream: upstream.url, allow: ['group:ai-eng'] }],
  });
  alice = await sdkClient(`${gateway.url}/c/night/mcp`, TOKENS.alice);
});

after(async () => {
  await alice?.close();
  await gateway?.close();
  await upstream?.close();
});

const recorded = (type: string) => recordedEvents(gateway, type);

const complete = (uri: string, value: string) =>
  alice.complete({ ref: { type: 'ref/resource', uri }, argument: { name: 'name', value } });

async function assertRefused(rule: string, request: () => Promise<unknown>): Promise<void> {
  const before = arrived.length;
  await assert.rejects(request, (err: unknown) => {
    assert.ok(err instanceof McpError, String(err));
    assert.equal((err.data as { rule?: string } | undefined)?.rule, rule);
    return true;
  });
  assert.ok(!arrived.slice(before).includes('completion/complete'), 'the upstream never saw it');
}

test('a completion under a URI prefix a read rule denies is refused before the server sees it', async () => {
  await assertRefused('no-secret-files', () => complete('secret://files/{name}', ''));
  // In another spelling the server's URL parser reads as the same URI.
  await assertRefused('no-secret-files', () => complete('SECRET://files/{name}', 'pay'));
  const refused = (await recorded('mcp.completion')).filter((e) => e.payload?.refused === 'policy_denied');
  assert.equal(refused.length, 2, 'each refusal is recorded');
});

test('a completion whose typed value makes a denied URI is refused', async () => {
  await assertRefused('no-beta', () => complete('vault://{name}', 'beta'));
});

test('offered values that make denied URIs are withheld from the answer and recorded', async () => {
  const answer = await complete('vault://{name}', '');
  assert.deepEqual(answer.completion.values, ['alpha', 'gamma']);
  const result = (await recorded('mcp.result')).find((e) =>
    JSON.stringify(e.payload?.withheld ?? null).includes('beta-keys'),
  );
  assert.ok(result, 'the withheld value is recorded with the answer');
  assert.deepEqual(result.payload?.withheld, [{ value: 'beta-keys', rule: 'no-beta' }]);
  await assertLedgerVerifies(gateway);
});
