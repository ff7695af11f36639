// A real node:http upstream that keeps what each request brought (method, target, headers, body)
// before a test's own handler answers it, so a test can compare what the upstream received with what
// Vigil recorded.
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { listenOnLoopback } from '../support/loopback.js';

export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** The body as the test reads it: UTF-8, or latin1 where every byte must survive as one character. */
  readonly body: string;
}

export interface LoggingUpstream {
  readonly server: Server;
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** Every request the upstream received, in order. */
  readonly seen: ReceivedRequest[];
  close(): Promise<void>;
}

export type Answer = (req: IncomingMessage, res: ServerResponse, received: ReceivedRequest) => void;

/** By default every request is answered `200 {"ok":true}`. */
const answerOk: Answer = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"ok":true}');
};

export async function startLoggingUpstream(
  answer: Answer = answerOk,
  bodyEncoding: 'utf8' | 'latin1' = 'utf8',
): Promise<LoggingUpstream> {
  const seen: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(bodyEncoding),
      };
      seen.push(received);
      answer(req, res, received);
    });
  });
  const url = await listenOnLoopback(server);
  return {
    server,
    url,
    seen,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
