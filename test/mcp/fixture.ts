// A gateway with an `mcp` connection in front of the SDK-built demo tool server, the official SDK
// client pointed at either, and what reached the upstream (with whether its mcp.call was already
// in the ledger at that moment).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { StoredEvent } from '../../src/core/events.js';
import { type DemoToolsHttp, startDemoToolsHttp } from '../../src/demo/mcp-tools/server.js';
import { startTestGateway, type TestGateway, type TestGatewayOptions } from '../support/gateway.js';

export const UPSTREAM_TOKEN = 'up-secret-mcp-0123456789';

export interface Arrival {
  readonly authorization: string | undefined;
  readonly method: string | null;
  readonly tool: string | null;
  readonly args: unknown;
  readonly recordedFirst: boolean;
}

export interface McpFixture {
  readonly upstream: DemoToolsHttp;
  readonly gateway: TestGateway;
  readonly root: string;
  readonly arrivals: Arrival[];
  events(type?: string): Promise<StoredEvent[]>;
  close(): Promise<void>;
}

export async function startMcpFixture(
  settings: Record<string, unknown> = {},
  options: TestGatewayOptions = {},
): Promise<McpFixture> {
  const root = mkdtempSync(join(tmpdir(), 'vigil-mcp-root-'));
  writeFileSync(join(root, 'hello.txt'), 'hello from the demo root\n');
  const arrivals: Arrival[] = [];
  let gateway: TestGateway | null = null;
  // What is committed now, without waiting for anything queued: the write-ahead check reads this.
  const committedEvents = async (type?: string): Promise<StoredEvent[]> => {
    if (!gateway) return [];
    const sessions = await gateway.store.ledger.listSessions({ connection: 'tools', limit: 1000 });
    const all: StoredEvent[] = [];
    for (const s of sessions) all.push(...(await gateway.store.ledger.readSession(s.id)));
    return all.filter((e) => type === undefined || e.type === type).sort((a, b) => a.index - b.index);
  };
  // Everything recorded so far, deferred records (an answer's mcp.result) included.
  const events = async (type?: string): Promise<StoredEvent[]> => {
    await gateway?.recorder.drain();
    return committedEvents(type);
  };
  const upstream = await startDemoToolsHttp({
    root,
    token: UPSTREAM_TOKEN,
    onRequest: async (req, body) => {
      const m = body as { method?: string; params?: { name?: string; arguments?: unknown } } | undefined;
      const method = typeof m?.method === 'string' ? m.method : null;
      const tool = method === 'tools/call' ? (m?.params?.name ?? null) : null;
      let recordedFirst = false;
      if (tool !== null) {
        // Read at once: had Vigil forwarded before recording, the call would not be in the ledger yet.
        const calls = await committedEvents('mcp.call');
        recordedFirst = calls.some(
          (e) =>
            e.payload?.tool === tool &&
            JSON.stringify(e.payload?.arguments) === JSON.stringify(m?.params?.arguments ?? {}),
        );
      }
      arrivals.push({
        authorization: req.headers.authorization,
        method,
        tool,
        args: m?.params?.arguments,
        recordedFirst,
      });
    },
  });
  process.env.VIGIL_TEST_MCP_UPSTREAM = UPSTREAM_TOKEN;
  const { connections, ...rest } = settings as { connections?: Record<string, unknown>[] };
  gateway = await startTestGateway(
    {
      ...rest,
      connections: [
        {
          name: 'tools',
          type: 'mcp',
          upstream: upstream.url,
          credential: 'env:VIGIL_TEST_MCP_UPSTREAM',
          allow: ['group:ai-eng', 'group:contractors'],
          ...((connections?.[0] as object | undefined) ?? {}),
        },
        ...(connections?.slice(1) ?? []),
      ],
    },
    undefined,
    options,
  );
  return {
    upstream,
    gateway,
    root,
    arrivals,
    events,
    async close() {
      await gateway?.close();
      await upstream.close();
    },
  };
}

/** An official SDK client over streamable HTTP: through Vigil with a Vigil token, or straight to the upstream. */
export async function sdkClient(url: string, token: string): Promise<Client> {
  const client = new Client({ name: 'vigil-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return client;
}
