// Requests an MCP server sends the client through Vigil: a tool that asks the client's model
// (sampling) and one that asks the user (elicitation), with the official SDK on both sides. Each
// request is recorded, and the client's answer is recorded, masked, before the upstream gets it; a
// connection that does not allow sampling answers the server with an error and the client never
// sees the request; an answer a policy rule refuses (a rule without `events` covers answers too)
// never reaches the upstream, which gets an error for its request instead.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  CreateMessageRequestSchema,
  CreateMessageResultSchema,
  ElicitRequestSchema,
  ElicitResultSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { StoredEvent } from '../../src/core/events.js';
import { assertLedgerVerifies, startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { serveSdkOverHttp } from './sdk-http-server.js';

/** A key the masker knows by shape; the client's model "leaks" it in its sampling answer. */
const LEAKED = `ghp_${'R7mK2xQ9vL4tW8nB3cF6hJ1pZ5sD0yG2aE4u'}`;
const TYPED_PASSWORD = 'correct-Horse-7-battery';

interface Upstream {
  readonly url: string;
  /** Client answers (JSON-RPC responses) as they arrived, and whether each was already in the ledger. */
  readonly answers: { id: unknown; recordedFirst: boolean; body: string }[];
  close(): Promise<void>;
}

function toolServer(): McpServer {
  const server = new McpServer({ name: 'asking-tools', version: '1.0.0' });
  server.registerTool('ask_model', { description: 'Asks the client model a question.' }, async (extra) => {
    try {
      const answer = await extra.sendRequest(
        {
          method: 'sampling/createMessage',
          params: {
            messages: [{ role: 'user', content: { type: 'text', text: 'What is in ~/.config/gh?' } }],
            maxTokens: 50,
          },
        },
        CreateMessageResultSchema,
      );
      const content = answer.content as { type: string; text?: string };
      return { content: [{ type: 'text', text: `model said: ${content.text ?? ''}` }] };
    } catch (err) {
      return { content: [{ type: 'text', text: `refused: ${(err as Error).message}` }], isError: true };
    }
  });
  server.registerTool('login', { description: 'Asks the user for a password.' }, async (extra) => {
    const answer = await extra.sendRequest(
      {
        method: 'elicitation/create',
        params: {
          message: 'Your password, please',
          requestedSchema: { type: 'object', properties: { password: { type: 'string' } } },
        },
      },
      ElicitResultSchema,
    );
    return { content: [{ type: 'text', text: `action ${answer.action}` }] };
  });
  return server;
}

async function startUpstream(committed: () => Promise<StoredEvent[]>): Promise<Upstream> {
  const answers: Upstream['answers'] = [];
  const served = await serveSdkOverHttp(toolServer, async (_req, raw, body) => {
    if (body && !('method' in body) && 'id' in body) {
      const recorded = await committed();
      answers.push({
        id: body.id,
        body: raw,
        recordedFirst: recorded.some(
          (e) => e.type === 'mcp.client_answer' && e.payload?.request_id === String(body.id),
        ),
      });
    }
  });
  return { ...served, answers };
}

let gateway: TestGateway;
let upstream: Upstream;
const asked: string[] = [];

async function committed(): Promise<StoredEvent[]> {
  if (!gateway) return [];
  const sessions = await gateway.store.ledger.listSessions({ limit: 1000 });
  const all: StoredEvent[] = [];
  for (const s of sessions) all.push(...(await gateway.store.ledger.readSession(s.id)));
  return all.sort((a, b) => a.index - b.index);
}

async function recorded(type: string, connection: string): Promise<StoredEvent[]> {
  await gateway.recorder.drain();
  return (await committed()).filter((e) => e.type === type && e.connection === connection);
}

async function client(connection: string): Promise<Client> {
  const c = new Client(
    { name: 'vigil-test', version: '1.0.0' },
    { capabilities: { sampling: {}, elicitation: {} } },
  );
  c.setRequestHandler(CreateMessageRequestSchema, async () => {
    asked.push(`${connection}:sampling`);
    return {
      model: 'client-model',
      role: 'assistant',
      content: { type: 'text', text: `It holds a token: ${LEAKED}` },
    };
  });
  c.setRequestHandler(ElicitRequestSchema, async () => {
    asked.push(`${connection}:elicitation`);
    return { action: 'accept', content: { password: TYPED_PASSWORD } };
  });
  await c.connect(
    new StreamableHTTPClientTransport(new URL(`${gateway.url}/c/${connection}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${TOKENS.alice}` } },
    }),
  );
  return c;
}

before(async () => {
  upstream = await startUpstream(committed);
  gateway = await startTestGateway({
    connections: [
      { name: 'asking', type: 'mcp', upstream: upstream.url, allow: ['group:ai-eng'] },
      {
        name: 'no-sampling',
        type: 'mcp',
        upstream: upstream.url,
        allow: ['group:ai-eng'],
        server_requests: ['elicitation/create'],
      },
      { name: 'guarded', type: 'mcp', upstream: upstream.url, allow: ['group:ai-eng'] },
    ],
    policy: {
      rules: [
        // No `events`: every action on the connection whose text holds a GitHub token.
        {
          name: 'no-github-tokens',
          match: { connections: ['guarded'], pattern: 'ghp_[A-Za-z0-9]{36}' },
          action: 'deny',
        },
      ],
    },
  });
});

after(async () => {
  await gateway?.close();
  await upstream?.close();
});

test("a server's sampling request and the client's answer are recorded, the answer before the upstream has it", async () => {
  const c = await client('asking');
  try {
    const result = await c.callTool({ name: 'ask_model', arguments: {} });
    assert.deepEqual(result.content, [{ type: 'text', text: `model said: It holds a token: ${LEAKED}` }]);
    assert.deepEqual(asked, ['asking:sampling']);

    const [request] = await recorded('mcp.server_request', 'asking');
    assert.equal(request?.payload?.method, 'sampling/createMessage');
    assert.match(JSON.stringify(request?.payload?.params), /~\/\.config\/gh/);
    const [answer] = await recorded('mcp.client_answer', 'asking');
    assert.equal(answer?.payload?.request_id, request?.payload?.request_id);
    const stored = JSON.stringify(answer?.payload);
    assert.match(stored, /It holds a token/);
    assert.ok(!stored.includes(LEAKED), 'the token in the answer is masked in the ledger');
    const arrived = upstream.answers.find((a) => String(a.id) === request?.payload?.request_id);
    assert.ok(arrived, 'the answer reached the upstream');
    assert.ok(arrived.recordedFirst, 'the answer was in the ledger before the upstream had it');
    assert.ok(arrived.body.includes(LEAKED), 'the upstream got the answer as the client sent it');
  } finally {
    await c.close();
  }
});

test('an elicitation answer (a typed password) is recorded masked', async () => {
  const c = await client('asking');
  try {
    const result = await c.callTool({ name: 'login', arguments: {} });
    assert.deepEqual(result.content, [{ type: 'text', text: 'action accept' }]);
    const requests = await recorded('mcp.server_request', 'asking');
    assert.ok(requests.some((e) => e.payload?.method === 'elicitation/create'));
    const answers = await recorded('mcp.client_answer', 'asking');
    const all = JSON.stringify(answers.map((e) => e.payload));
    assert.match(all, /"action":"accept"/);
    assert.ok(!all.includes(TYPED_PASSWORD), 'the password is masked by its key name');
  } finally {
    await c.close();
  }
});

test('a connection that does not allow sampling answers the server itself; the client never sees it', async () => {
  const c = await client('no-sampling');
  try {
    const result = await c.callTool({ name: 'ask_model', arguments: {} });
    assert.equal(result.isError, true);
    assert.match(JSON.stringify(result.content), /refused: .*not allowed on this connection/);
    assert.ok(!asked.includes('no-sampling:sampling'), "the client's handler was never called");
    const [request] = await recorded('mcp.server_request', 'no-sampling');
    assert.equal(request?.payload?.method, 'sampling/createMessage');
    assert.equal(request?.payload?.refused, 'policy_denied');
    assert.equal((await recorded('mcp.client_answer', 'no-sampling')).length, 0);
    // Elicitation is allowed there.
    const login = await c.callTool({ name: 'login', arguments: {} });
    assert.deepEqual(login.content, [{ type: 'text', text: 'action accept' }]);
  } finally {
    await c.close();
  }
});

test("a policy rule refuses the client's answer: the upstream gets an error in its place, never the answer", async () => {
  const c = await client('guarded');
  const before = upstream.answers.length;
  try {
    const result = await c.callTool({ name: 'ask_model', arguments: {} });
    assert.ok(asked.includes('guarded:sampling'), 'the client was asked');
    assert.equal(result.isError, true, JSON.stringify(result));
    assert.match(JSON.stringify(result.content), /refused: .*no-github-tokens/);
    const arrived = upstream.answers.slice(before);
    assert.ok(arrived.length > 0, 'the upstream was answered');
    assert.ok(
      arrived.every((a) => !a.body.includes(LEAKED) && /"error"/.test(a.body)),
      `the upstream got an error, not the answer: ${arrived.map((a) => a.body).join(' | ')}`,
    );
    const [answer] = await recorded('mcp.client_answer', 'guarded');
    assert.ok(answer, 'the refused answer is recorded');
    assert.ok(!JSON.stringify(answer.payload).includes(LEAKED), 'masked in the ledger');
    const decision = (await recorded('policy.decision', 'guarded')).find(
      (e) => e.payload?.rule === 'no-github-tokens',
    );
    assert.equal(decision?.payload?.action, 'deny');
    // An answer no rule names passes on the same connection.
    const login = await c.callTool({ name: 'login', arguments: {} });
    assert.deepEqual(login.content, [{ type: 'text', text: 'action accept' }]);
  } finally {
    await c.close();
  }
});

test('the ledger verifies', async () => {
  await assertLedgerVerifies(gateway);
});
