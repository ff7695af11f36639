// A request through the gateway's HTTP API connection, sent with node:http as written (the path
// goes on the wire as given, unnormalised), as alice; the answer with Vigil's error code, if any.
import { request } from 'node:http';
import { TOKENS } from '../support/gateway.js';

export interface Answer {
  readonly status: number;
  readonly code: string | undefined;
  readonly body: string;
}

export function sendThrough(
  gatewayUrl: string,
  connection: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body = '',
): Promise<Answer> {
  const { hostname, port } = new URL(gatewayUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname,
        port,
        method,
        path: `/c/${connection}${path}`,
        headers: { authorization: `Bearer ${TOKENS.alice}`, ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            code: res.headers['x-vigil-error']?.toString(),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
