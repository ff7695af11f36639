// A resource a read rule denies, handed to the client inside another answer: a tool's result that
// embeds it (`{type: "resource", resource: {uri, text}}`) or links to it (`resource_link`), a read
// of an allowed URI whose answer also holds a denied one's contents, a prompt whose messages embed
// it. The rule held `resources/read secret://…` and nothing else, so a search tool, a directory
// read or a prompt delivered the secret's contents past it (until 7 December). Each such resource
// is now left out of the answer and recorded as withheld. The upstream is the official SDK's
// server; the client is the official SDK client.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { connectionEvents, startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { sdkClient } from './fixture.js';
import { type SdkHttpServer, serveSdkOverHttp } from './sdk-http-server.js';

const SECRET = 'TOP-SECRET-CONTENTS-5d21';
const secretDoc = { uri: 'secret://files/key', mimeType: 'text/plain', text: SECRET };
const publicDoc = { uri: 'docs://guide', mimeType: 'text/plain', text: 'the public guide' };

function docsServer(): Server {
  const server = new Server(
    { name: 'docs', version: '1.0.0' },
    { capabilities: { tools: {}, resources: {}, prompts: {} } },
  );
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [{ name: 'search', description: 'Finds documents.', inputSchema: { type: 'object' } }],
  }));
  server.setRequestHandler(CallToolRequestSchema, async () => ({
    content: [
      { type: 'text', text: 'found 3 documents' },
      { type: 'resource', resource: secretDoc },
      { type: 'resource_link', uri: 'secret://files/other', name: 'other secret' },
      { type: 'resource', resource: publicDoc },
    ],
  }));
  server.setRequestHandler(ListResourcesRequestSchema, async () => ({ resources: [] }));
  server.setRequestHandler(ReadResourceRequestSchema, async (request) => ({
    contents: [{ uri: request.params.uri, mimeType: 'text/plain', text: 'the index' }, secretDoc],
  }));
  server.setRequestHandler(ListPromptsRequestSchema, async () => ({ prompts: [{ name: 'brief' }] }));
  server.setRequestHandler(GetPromptRequestSchema, async () => ({
    messages: [
      { role: 'user', content: { type: 'text', text: 'Brief me on these.' } },
      { role: 'user', content: { type: 'resource', resource: secretDoc } },
      { role: 'user', content: { type: 'resource', resource: publicDoc } },
    ],
  }));
  return server;
}

let upstream: SdkHttpServer;
let gateway: TestGateway;
let alice: Client;

before(async () => {
  upstream = await serveSdkOverHttp(docsServer);
  gateway = await startTestGateway({
    connections: [{ name: 'docs', type: 'mcp', upstream: upstream.url, allow: ['group:ai-eng'] }],
    policy: {
      rules: [{ name: 'no-secrets', match: { events: ['mcp.read'], pattern: '^secret://' }, action: 'deny' }],
    },
  });
  alice = await sdkClient(`${gateway.url}/c/docs/mcp`, TOKENS.alice);
  await alice.listTools();
});

after(async () => {
  await alice?.close();
  await gateway?.close();
  await upstream?.close();
});

test('the rule refuses a read of the secret', async () => {
  await assert.rejects(alice.readResource({ uri: 'secret://files/key' }), /no-secrets/);
});

test("a tool's result does not hand over a denied resource, embedded or linked", async () => {
  const result = await alice.callTool({ name: 'search', arguments: {} });
  assert.ok(!JSON.stringify(result).includes(SECRET), 'the secret reached the client');
  assert.ok(!JSON.stringify(result).includes('secret://'), 'a denied URI reached the client');
  assert.deepEqual(result.content, [
    { type: 'text', text: 'found 3 documents' },
    { type: 'resource', resource: publicDoc },
  ]);
  const [recorded] = (await connectionEvents(gateway, 'docs', 'mcp.result')).filter(
    (e) => e.payload?.tool === 'search',
  );
  assert.deepEqual(recorded?.payload?.withheld, [
    { uri: 'secret://files/key', rule: 'no-secrets' },
    { uri: 'secret://files/other', rule: 'no-secrets' },
  ]);
});

test("a read's answer holds no contents of a denied resource beside the one read", async () => {
  const result = await alice.readResource({ uri: 'docs://index' });
  assert.deepEqual(result.contents, [{ uri: 'docs://index', mimeType: 'text/plain', text: 'the index' }]);
});

test("a prompt's messages do not embed a denied resource", async () => {
  const result = await alice.getPrompt({ name: 'brief' });
  assert.ok(!JSON.stringify(result).includes(SECRET), 'the secret reached the client');
  assert.equal(result.messages.length, 2);
});
