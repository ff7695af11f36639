// The demo tool server over streamable HTTP (stateful: one SDK transport per MCP session), with an
// optional bearer token it requires, so a test can see that Vigil injects the upstream credential.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createDemoToolsServer, type DemoTools, type DemoToolsOptions } from './tools.js';

export interface DemoToolsHttpOptions extends DemoToolsOptions {
  readonly host?: string;
  readonly port?: number;
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Sees each request before it is served (tests record what reached the upstream). */
  readonly onRequest?: (req: IncomingMessage, body: unknown) => void | Promise<void>;
}

export interface DemoToolsHttp {
  readonly url: string;
  /** The tools of every session, so a test can change a definition on the running server. */
  readonly sessions: ReadonlyMap<string, DemoTools>;
  /** Applies a change to the named tool in every session, now and for sessions opened later. */
  updateTool(
    name: string,
    update: { description?: string; enabled?: boolean; _meta?: Record<string, unknown> },
  ): void;
  close(): Promise<void>;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  return raw === '' ? undefined : JSON.parse(raw);
}

export async function startDemoToolsHttp(options: DemoToolsHttpOptions): Promise<DemoToolsHttp> {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const sessions = new Map<string, DemoTools>();
  const updates = new Map<
    string,
    { description?: string; enabled?: boolean; _meta?: Record<string, unknown> }
  >();
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
        return;
      }
      const body = req.method === 'POST' ? await readJson(req) : undefined;
      await options.onRequest?.(req, body);
      const sid = req.headers['mcp-session-id'];
      let transport = typeof sid === 'string' ? transports.get(sid) : undefined;
      if (!transport) {
        if (typeof sid === 'string') {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end('{"jsonrpc":"2.0","id":null,"error":{"code":-32001,"message":"Session not found"}}');
          return;
        }
        const tools = createDemoToolsServer(options);
        for (const [name, update] of updates) tools.tools[name]?.update(update);
        const created = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (id) => {
            transports.set(id, created);
            sessions.set(id, tools);
          },
        });
        created.onclose = () => {
          if (created.sessionId) {
            transports.delete(created.sessionId);
            sessions.delete(created.sessionId);
          }
        };
        await tools.server.connect(created);
        transport = created;
      }
      await transport.handleRequest(req, res, body);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  await new Promise<void>((r) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}/mcp`,
    sessions,
    updateTool(name, update) {
      updates.set(name, { ...updates.get(name), ...update });
      for (const tools of sessions.values()) tools.tools[name]?.update(update);
    },
    async close() {
      await Promise.all([...transports.values()].map((t) => t.close().catch(() => undefined)));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
