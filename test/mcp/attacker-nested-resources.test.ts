// A resource a read rule denies, named somewhere other than a tool result's `content`: in the
// result's `structuredContent` (a search tool returning its documents as data), in a sampling
// request the server sends the client's model (a `tool_result` inside the prompt that embeds the
// file, or links it), in an elicitation request's `_meta`, or in the client's answer to the server.
// Until 7 December only `content` was looked at: the secret's contents reached the client (or its
// model) through the others. Each is now judged as a read, left out, and recorded as `withheld`.
// A secret the gateway holds (the upstream's credential) in `structuredContent` is masked as in
// `content`. The upstream is the official SDK's server; the client is the official SDK client.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  CreateMessageRequestSchema,
  CreateMessageResultSchema,
  ElicitRequestSchema,
  ElicitResultSchema,
  ListToolsRequestSchema,
  LoggingMessageNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { connectionEvents, startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { type SdkHttpServer, serveSdkOverHttp } from './sdk-http-server.js';

const SECRET = 'TOP-SECRET-CONTENTS-91c4';
const CREDENTIAL = 'upstream-credential-7f3a9c2e51';
const secretDoc = { uri: 'secret://files/key', mimeType: 'text/plain', text: SECRET };
const publicDoc = { uri: 'docs://guide', mimeType: 'text/plain', text: 'the public guide' };
const secretLink = { type: 'resource_link', uri: 'secret://files/other', name: 'other secret' };

function docsServer(): Server {
  const server = new Server({ name: 'docs', version: '1.0.0' }, { capabilities: { tools: {}, logging: {} } });
  const tool = (name: string) => ({ name, description: name, inputSchema: { type: 'object' as const } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [tool('search'), tool('whoami'), tool('summarize'), tool('confirm'), tool('log_it')],
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    switch (request.params.name) {
      case 'search':
        return {
          content: [{ type: 'text', text: 'found 2 documents' }],
          structuredContent: {
            documents: [
              { type: 'resource', resource: secretDoc },
              { type: 'resource', resource: publicDoc },
            ],
          },
        };
      case 'whoami':
        return {
          content: [{ type: 'text', text: 'see structuredContent' }],
          structuredContent: { sent: String(extra.requestInfo?.headers.authorization ?? '') },
        };
      case 'summarize': {
        // The prompt hands the client's model a tool's result that embeds the secret file.
        const answer = await extra.sendRequest(
          {
            method: 'sampling/createMessage',
            params: {
              maxTokens: 50,
              messages: [
                { role: 'user', content: { type: 'text', text: 'Summarize what the search found.' } },
                {
                  role: 'user',
                  content: [
                    {
                      type: 'tool_result',
                      toolUseId: 'search-1',
                      content: [
                        { type: 'resource', resource: secretDoc },
                        secretLink,
                        { type: 'resource', resource: publicDoc },
                      ],
                    },
                  ],
                },
              ],
            },
          },
          CreateMessageResultSchema,
        );
        return { content: [{ type: 'text', text: `model: ${JSON.stringify(answer.content)}` }] };
      }
      case 'log_it':
        // A log line whose data carries the secret file.
        await extra.sendNotification({
          method: 'notifications/message',
          params: { level: 'info', data: { attached: { type: 'resource', resource: secretDoc } } },
        });
        await extra.sendNotification({
          method: 'notifications/message',
          params: { level: 'info', data: 'plain' },
        });
        return { content: [{ type: 'text', text: 'logged' }] };
      default: {
        const answer = await extra.sendRequest(
          {
            method: 'elicitation/create',
            params: {
              message: 'Confirm the attached file?',
              requestedSchema: { type: 'object', properties: { ok: { type: 'boolean' } } },
              _meta: { attachment: { type: 'resource', resource: secretDoc } },
            },
          },
          ElicitResultSchema,
        );
        return { content: [{ type: 'text', text: `action ${answer.action}` }] };
      }
    }
  });
  return server;
}

let upstream: SdkHttpServer;
let gateway: TestGateway;
let alice: Client;
/** The params of each request the server sent the client, as the client got them. */
const asked: unknown[] = [];
/** The server's log lines as the client got them. */
const logged: unknown[] = [];
/** The client's answers as they reached the upstream. */
const answered: string[] = [];

before(async () => {
  upstream = await serveSdkOverHttp(docsServer, (_req, raw, body) => {
    if (body && !('method' in body) && 'id' in body) answered.push(raw);
  });
  process.env.VIGIL_TEST_NESTED_CREDENTIAL = CREDENTIAL;
  gateway = await startTestGateway({
    connections: [
      {
        name: 'docs',
        type: 'mcp',
        upstream: upstream.url,
        credential: 'env:VIGIL_TEST_NESTED_CREDENTIAL',
        allow: ['group:ai-eng'],
      },
    ],
    policy: {
      rules: [{ name: 'no-secrets', match: { events: ['mcp.read'], pattern: '^secret://' }, action: 'deny' }],
    },
  });
  alice = new Client(
    { name: 'vigil-test', version: '1.0.0' },
    { capabilities: { sampling: {}, elicitation: {} } },
  );
  alice.setRequestHandler(CreateMessageRequestSchema, async (request) => {
    asked.push(request.params);
    // The client's answer names the secret too: it must not reach the upstream either.
    return {
      model: 'client-model',
      role: 'assistant',
      content: { type: 'text', text: 'a summary' },
      _meta: { cited: secretLink },
    };
  });
  alice.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    logged.push(n.params);
  });
  alice.setRequestHandler(ElicitRequestSchema, async (request) => {
    asked.push(request.params);
    return { action: 'accept', content: { ok: true } };
  });
  await alice.connect(
    new StreamableHTTPClientTransport(new URL(`${gateway.url}/c/docs/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${TOKENS.alice}` } },
    }),
  );
  await alice.listTools();
});

after(async () => {
  await alice?.close();
  await gateway?.close();
  await upstream?.close();
});

async function recorded(type: string): Promise<Record<string, unknown>[]> {
  return (await connectionEvents(gateway, 'docs', type)).map((e) => e.payload ?? {});
}

test('a denied resource in structuredContent does not reach the client, and is recorded as withheld', async () => {
  const result = await alice.callTool({ name: 'search', arguments: {} });
  assert.ok(!JSON.stringify(result).includes(SECRET), 'the secret reached the client');
  assert.ok(!JSON.stringify(result).includes('secret://'), 'a denied URI reached the client');
  assert.deepEqual(result.structuredContent, { documents: [{ type: 'resource', resource: publicDoc }] });
  const call = (await recorded('mcp.result')).find((p) => p.tool === 'search');
  assert.deepEqual(call?.withheld, [{ uri: 'secret://files/key', rule: 'no-secrets' }]);
  assert.ok(!JSON.stringify(call).includes(SECRET), 'the record holds the answer as the client got it');
});

test('a secret the gateway holds in structuredContent is masked, to the client and in the record', async () => {
  const result = await alice.callTool({ name: 'whoami', arguments: {} });
  assert.ok(!JSON.stringify(result).includes(CREDENTIAL), 'the upstream credential reached the client');
  // The server did get it, and put it in structuredContent: masked on its way out.
  assert.match(String((result.structuredContent as { sent?: unknown }).sent), /^Bearer \S+$/);
  const call = (await recorded('mcp.result')).find((p) => p.tool === 'whoami');
  assert.ok(call, 'recorded');
  assert.ok(!JSON.stringify(call).includes(CREDENTIAL), 'the upstream credential is in the ledger');
});

test("a sampling request does not hand the client's model a denied resource; the client's answer does not name one", async () => {
  const before = asked.length;
  const answers = answered.length;
  const result = await alice.callTool({ name: 'summarize', arguments: {} });
  assert.equal(result.isError, undefined, JSON.stringify(result));
  const params = JSON.stringify(asked.slice(before));
  assert.ok(!params.includes(SECRET), "the secret reached the client's model");
  assert.ok(!params.includes('secret://'), 'a denied URI reached the client');
  assert.ok(params.includes('the public guide'), 'the public document still reached it');
  const request = (await recorded('mcp.server_request')).find((p) => p.method === 'sampling/createMessage');
  assert.deepEqual(request?.withheld, [
    { uri: 'secret://files/key', rule: 'no-secrets' },
    { uri: 'secret://files/other', rule: 'no-secrets' },
  ]);
  assert.ok(!JSON.stringify(request).includes(SECRET));

  const sent = answered.slice(answers).join('\n');
  assert.ok(sent.includes('a summary'), 'the answer reached the upstream');
  assert.ok(!sent.includes('secret://'), 'the denied URI in the answer reached the upstream');
  const answer = (await recorded('mcp.client_answer')).find((p) => JSON.stringify(p).includes('a summary'));
  assert.deepEqual(answer?.withheld, [{ uri: 'secret://files/other', rule: 'no-secrets' }]);
});

test('an elicitation request does not carry a denied resource to the user', async () => {
  const before = asked.length;
  const result = await alice.callTool({ name: 'confirm', arguments: {} });
  assert.deepEqual(result.content, [{ type: 'text', text: 'action accept' }]);
  const params = JSON.stringify(asked.slice(before));
  assert.ok(params.includes('Confirm the attached file?'), 'the request reached the client');
  assert.ok(!params.includes(SECRET), 'the secret reached the client');
  const request = (await recorded('mcp.server_request')).find((p) => p.method === 'elicitation/create');
  assert.deepEqual(request?.withheld, [{ uri: 'secret://files/key', rule: 'no-secrets' }]);
});

test("a server's notification that carries a denied resource is withheld from the client", async () => {
  const result = await alice.callTool({ name: 'log_it', arguments: {} });
  assert.deepEqual(result.content, [{ type: 'text', text: 'logged' }]);
  assert.ok(!JSON.stringify(logged).includes(SECRET), 'the secret reached the client in a log line');
  assert.ok(JSON.stringify(logged).includes('plain'), 'the other log line reached the client');
  const withheld = (await recorded('mcp.server_notification')).filter((p) => p.withheld !== undefined);
  assert.deepEqual(
    withheld.map((p) => [p.method, p.withheld]),
    [['notifications/message', 'no-secrets']],
  );
});
