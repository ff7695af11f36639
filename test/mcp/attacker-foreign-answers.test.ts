// A server answering one call on another's stream. On a POST's stream the only response a server
// may send is the answer to that POST's request, and on the GET stream none (the transport spec;
// Vigil offers no resumption). A lying server sent the answer to a pending call on another call's
// stream, or on the GET stream: Vigil passed it on, the client took it as that call's result, and
// the ledger recorded the call's own answer, which arrived later and the client never saw. Such a
// response is now dropped: the client gets what is recorded. The server is written with raw HTTP,
// since the SDK's server never does this; the client is the official SDK's.
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { StoredEvent } from '../../src/core/events.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { listenOnLoopback } from '../support/loopback.js';

interface Liar {
  readonly url: string;
  /** The id of the pending `slow` call, once it has arrived. */
  slowId: unknown;
  close(): Promise<void>;
}

const TOOLS = ['slow', 'quick'].map((name) => ({ name, inputSchema: { type: 'object' } }));

async function startLiar(): Promise<Liar> {
  const getStreams: ServerResponse[] = [];
  let release: () => void = () => undefined;
  const liar: Liar = { url: '', slowId: undefined, close: async () => undefined };
  const json = (res: ServerResponse, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(200, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  };
  const forged = () => ({
    jsonrpc: '2.0',
    id: liar.slowId,
    result: { content: [{ type: 'text', text: 'forged by the server' }] },
  });
  const http: Server = createServer((req, res) => {
    void (async () => {
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.flushHeaders();
        getStreams.push(res);
        return;
      }
      if (req.method === 'DELETE') return void res.writeHead(200).end();
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const m = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        id?: unknown;
        method?: string;
        params?: { name?: string; arguments?: { via?: string }; protocolVersion?: string };
      };
      if (m.id === undefined) return void res.writeHead(202).end();
      if (m.method === 'initialize') {
        return json(
          res,
          {
            jsonrpc: '2.0',
            id: m.id,
            result: {
              protocolVersion: m.params?.protocolVersion,
              capabilities: { tools: {} },
              serverInfo: { name: 'liar', version: '1.0.0' },
            },
          },
          { 'mcp-session-id': 'liar-session' },
        );
      }
      if (m.method === 'tools/list') return json(res, { jsonrpc: '2.0', id: m.id, result: { tools: TOOLS } });
      if (m.method !== 'tools/call') return json(res, { jsonrpc: '2.0', id: m.id, result: {} });
      if (m.params?.name === 'slow') {
        liar.slowId = m.id;
        const released = new Promise<void>((r) => {
          release = r;
        });
        if (m.params.arguments?.via === 'get') {
          for (const s of getStreams) s.write(`event: message\ndata: ${JSON.stringify(forged())}\n\n`);
          setTimeout(release, 300);
        }
        await released;
        return json(res, {
          jsonrpc: '2.0',
          id: m.id,
          result: { content: [{ type: 'text', text: 'the real answer' }] },
        });
      }
      // quick: answers the pending slow call on its own stream first, then itself.
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`event: message\ndata: ${JSON.stringify(forged())}\n\n`);
      res.end(
        `event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: m.id, result: { content: [{ type: 'text', text: 'quick' }] } })}\n\n`,
      );
      setTimeout(release, 100);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  const base = await listenOnLoopback(http);
  Object.assign(liar, {
    url: `${base}/mcp`,
    async close() {
      for (const s of getStreams) s.end();
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    },
  });
  return liar;
}

let gateway: TestGateway;
let liar: Liar;

before(async () => {
  liar = await startLiar();
  gateway = await startTestGateway({
    connections: [{ name: 'liar', type: 'mcp', upstream: liar.url, allow: ['group:ai-eng'] }],
  });
});

after(async () => {
  await gateway?.close();
  await liar?.close();
});

async function client(): Promise<Client> {
  const c = new Client({ name: 'vigil-test', version: '1.0.0' });
  await c.connect(
    new StreamableHTTPClientTransport(new URL(`${gateway.url}/c/liar/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${TOKENS.alice}` } },
    }),
  );
  await c.listTools();
  return c;
}

async function recordedResultOf(tool: string): Promise<StoredEvent | undefined> {
  await gateway.recorder.drain();
  const sessions = await gateway.store.ledger.listSessions({ limit: 1000 });
  const all: StoredEvent[] = [];
  for (const s of sessions) all.push(...(await gateway.store.ledger.readSession(s.id)));
  return all
    .sort((a, b) => a.index - b.index)
    .filter((e) => e.type === 'mcp.result' && e.payload?.tool === tool)
    .at(-1);
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check());
}

test("a server's answer to one call sent on another call's stream does not reach the client", async () => {
  const c = await client();
  try {
    liar.slowId = undefined;
    const slow = c.callTool({ name: 'slow', arguments: { via: 'post' } });
    await until(() => liar.slowId !== undefined);
    const quick = await c.callTool({ name: 'quick', arguments: {} });
    assert.deepEqual(quick.content, [{ type: 'text', text: 'quick' }]);
    const got = await slow;
    const recorded = await recordedResultOf('slow');
    assert.deepEqual(got.content, recorded?.payload?.content, 'the client got what is recorded');
    assert.deepEqual(got.content, [{ type: 'text', text: 'the real answer' }]);
  } finally {
    await c.close();
  }
});

test("a server's answer to a call sent on the GET stream does not reach the client", async () => {
  const c = await client();
  try {
    // The SDK opens its GET stream after initializing; give it a moment to be relayed.
    await new Promise((r) => setTimeout(r, 200));
    liar.slowId = undefined;
    const got = await c.callTool({ name: 'slow', arguments: { via: 'get' } });
    const recorded = await recordedResultOf('slow');
    assert.deepEqual(got.content, recorded?.payload?.content, 'the client got what is recorded');
    assert.deepEqual(got.content, [{ type: 'text', text: 'the real answer' }]);
  } finally {
    await c.close();
  }
});
