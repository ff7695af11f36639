// The witness's HTTP face: `POST <prefix>/add-checkpoint` as c2sp.org/tlog-witness defines it, and
// `GET <prefix>/vkey` for its cosignature verifier key. Nothing else is served.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_REQUEST_BYTES } from '../ledger/tlog-witness-request.js';
import type { Witness } from './witness.js';

export interface RunningWitness {
  readonly url: string;
  close(): Promise<void>;
}

export async function serveWitness(
  witness: Witness,
  vkey: string,
  host: string,
  port: number,
  onError: (err: unknown) => void = () => undefined,
): Promise<RunningWitness> {
  const server: Server = createServer((req, res) => {
    const reply = (status: number, contentType: string, body: string) => {
      res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/vkey') return reply(200, 'text/plain; charset=utf-8', `${vkey}\n`);
    if (req.method !== 'POST' || path !== '/add-checkpoint') {
      req.resume();
      return reply(404, 'text/plain; charset=utf-8', 'not found\n');
    }
    readBody(req)
      .then(async (body) => {
        if (body === null) return reply(413, 'text/plain; charset=utf-8', 'request too large\n');
        const answer = await witness.addCheckpoint(body);
        reply(answer.status, answer.contentType, answer.body);
      })
      .catch((err) => {
        onError(err);
        if (!res.headersSent) reply(500, 'text/plain; charset=utf-8', 'internal error\n');
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The body as UTF-8, or null once it passes the limit (the rest is drained, not kept). */
function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_REQUEST_BYTES ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
