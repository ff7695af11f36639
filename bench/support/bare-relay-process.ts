// A bare HTTP relay in its own process, as a floor for the gateway benches: it forwards every request
// to the upstream with the given bearer credential and streams the answer back, as Vigil does, but
// authenticates, checks and records nothing. What Vigil adds beyond it is Vigil's own work; what it
// adds over a direct connection is the extra hop on this machine. Prints {"url": ...} once it listens.
//   node --import tsx bench/support/bare-relay-process.ts UPSTREAM_URL UPSTREAM_BEARER
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

const upstream = new URL(process.argv[2]!);
const bearer = process.argv[3]!;
const pool = new Pool(upstream.origin, { connections: 64 });
/** Hop-by-hop and replaced headers, which a proxy does not pass on. */
const DROP = new Set([
  'host',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'authorization',
  'content-length',
]);

const server = createServer((req, res) => {
  const headers: Record<string, string> = { authorization: `Bearer ${bearer}` };
  for (const [k, v] of Object.entries(req.headers)) if (!DROP.has(k) && typeof v === 'string') headers[k] = v;
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  pool
    .request({ method: req.method as 'GET', path: req.url ?? '/', headers, body: hasBody ? req : undefined })
    .then(({ statusCode, headers: upHeaders, body }) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(upHeaders)) if (!DROP.has(k) && v !== undefined) out[k] = v;
      res.writeHead(statusCode, out);
      body.pipe(res);
    })
    .catch((err: Error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(err.message);
    });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(
    `${JSON.stringify({ url: `http://127.0.0.1:${port}${upstream.pathname.replace(/\/$/, '')}` })}\n`,
  );
});
process.on('SIGTERM', () => {
  server.close();
  void pool.close().then(() => process.exit(0));
});
