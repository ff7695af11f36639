// A test's proxy in front of the MCP fixture's upstream: it reads the client's request, may answer
// some itself, and sends the rest on as they came; the upstream's answer comes back with the
// headers a proxy may pass on (its own length and framing are the proxy's to set).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from '../support/loopback.js';
import { type McpFixture, startMcpFixture } from './fixture.js';

export async function requestBody(req: IncomingMessage): Promise<Buffer<ArrayBuffer>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Sends `req` (with `body`) on to `target`; resolves to the answer and the headers to pass back. */
export async function forwarded(
  target: string,
  req: IncomingMessage,
  body: Buffer<ArrayBuffer>,
): Promise<{ answer: Response; headers: Record<string, string> }> {
  const sent = Object.fromEntries(
    Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length'),
  ) as Record<string, string>;
  const answer = await fetch(target, {
    method: req.method ?? 'GET',
    headers: sent,
    ...(body.length > 0 ? { body } : {}),
  });
  const headers: Record<string, string> = {};
  answer.headers.forEach((v, k) => {
    if (k !== 'content-length' && k !== 'transfer-encoding') headers[k] = v;
  });
  return { answer, headers };
}

/**
 * The MCP fixture whose connection reaches its upstream through `handle`, which is given the
 * upstream's address to forward to; `close` stops both.
 */
export async function startProxiedMcpFixture(
  handle: (req: IncomingMessage, res: ServerResponse, target: string) => Promise<void>,
): Promise<{ fixture: McpFixture; close(): Promise<void> }> {
  let target = '';
  const proxy = createServer((req, res) => void handle(req, res, target));
  const proxyUrl = await listenOnLoopback(proxy);
  const fixture = await startMcpFixture({ connections: [{ upstream: `${proxyUrl}/mcp` }] });
  target = fixture.upstream.url;
  return {
    fixture,
    async close() {
      await fixture.close();
      proxy.closeAllConnections();
      await new Promise<void>((r) => proxy.close(() => r()));
    },
  };
}
