// An upstream MCP server of the official SDK over Streamable HTTP, on node:http: one server and
// transport per MCP session, as a real deployment runs it. `inspect` sees each request before the
// SDK does (its raw body, parsed), for tests that check what reached the upstream and when.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { listenOnLoopback } from '../support/loopback.js';

export interface SdkHttpServer {
  /** The MCP endpoint (`…/mcp`). */
  readonly url: string;
  close(): Promise<void>;
}

export async function serveSdkOverHttp(
  makeServer: () => { connect(transport: Transport): Promise<void> },
  inspect?: (
    req: IncomingMessage,
    raw: string,
    body: Record<string, unknown> | undefined,
  ) => Promise<void> | void,
): Promise<SdkHttpServer> {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const http: Server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const raw = Buffer.concat(chunks).toString('utf8');
      const body = raw === '' ? undefined : (JSON.parse(raw) as Record<string, unknown>);
      await inspect?.(req, raw, body);
      const sid = req.headers['mcp-session-id'];
      let transport = typeof sid === 'string' ? transports.get(sid) : undefined;
      if (!transport) {
        const created: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (id): void => {
            transports.set(id, created);
          },
        });
        await makeServer().connect(created);
        transport = created;
      }
      await transport.handleRequest(req, res, body);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  const httpUrl = await listenOnLoopback(http);
  return {
    url: `${httpUrl}/mcp`,
    async close() {
      await Promise.all([...transports.values()].map((t) => t.close().catch(() => undefined)));
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}
