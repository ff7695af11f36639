// A request through the gateway's HTTP API connection, sent with node:http as written (the path
// goes on the wire as given, unnormalised), as alice; the answer with Vigil's error code, if any.
import { type IncomingHttpHeaders, request } from 'node:http';
import { TOKENS } from '../support/gateway.js';

export interface Answer {
  readonly status: number;
  readonly code: string | undefined;
  readonly body: string;
}

/** The whole answer: status, headers and the body's bytes (a binary body stays as sent). */
export interface Exchange {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Sends exactly these headers (alice's bearer token unless they name another authorization). */
export function exchange(
  gatewayUrl: string,
  connection: string,
  method: string,
  path: string,
  headers: Record<string, string | string[]> = {},
  body: string | Buffer = '',
): Promise<Exchange> {
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
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** As `exchange`, with a content-length for the body (which a test's headers may override). */
export function exchangeWithLength(
  gatewayUrl: string,
  connection: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body: string | Buffer = '',
): Promise<Exchange> {
  const length = String(Buffer.byteLength(body));
  return exchange(gatewayUrl, connection, method, path, { 'content-length': length, ...headers }, body);
}

export async function sendThrough(
  gatewayUrl: string,
  connection: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body = '',
): Promise<Answer> {
  const answer = await exchange(gatewayUrl, connection, method, path, headers, body);
  return {
    status: answer.status,
    code: answer.headers['x-vigil-error']?.toString(),
    body: answer.body.toString('utf8'),
  };
}
