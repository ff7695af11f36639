// An HTTP upstream that answers each request with what `answer` makes of its headers, whole, or
// three bytes at a time when the request carries `x-pieces` (so an escape or a secret is cut across
// the answer's chunks). The leak tests echo the credential Vigil injects through it.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { listenOnLoopback } from './loopback.js';

export interface EchoAnswer {
  readonly contentType: string;
  readonly body: string;
}

export interface EchoUpstream {
  readonly url: string;
  close(): Promise<void>;
}

export async function startEchoUpstream(
  answer: (headers: IncomingHttpHeaders) => EchoAnswer,
): Promise<EchoUpstream> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const { contentType, body } = answer(req.headers);
      res.writeHead(200, { 'content-type': contentType });
      if (req.headers['x-pieces'] === undefined) {
        res.end(body);
        return;
      }
      const all = Buffer.from(body);
      let at = 0;
      const next = (): void => {
        if (at >= all.length) {
          res.end();
          return;
        }
        res.write(all.subarray(at, at + 3));
        at += 3;
        setImmediate(next);
      };
      next();
    });
  });
  const url = await listenOnLoopback(server);
  return { url, close: () => new Promise((r) => server.close(() => r())) };
}
