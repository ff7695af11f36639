// The web console's HTTP handler: the gateway's last GET/HEAD fallback before `route_unknown`
// (src/server/http-routes.ts). Static files only; everything the console shows it reads from the
// admin API, which decides who may see what.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { VigilError } from '../core/errors.js';
import { sendJsonError } from '../http/json-response.js';
import { consoleFileFor, isConsoleBuilt, isConsolePath, readConsoleFile } from './console-files.js';
import { contentTypeOf } from './content-types.js';
import { CONSOLE_SECURITY_HEADERS } from './security-headers.js';

export interface ConsoleHandler {
  /** Whether a GET or HEAD of this path is the console's (its pages and assets). */
  handles(pathname: string): boolean;
  serve(req: IncomingMessage, res: ServerResponse, url: URL): void;
}

const YEAR_SECONDS = 365 * 24 * 3600;

export function consoleHandler(dir: string): ConsoleHandler {
  return { handles: isConsolePath, serve: (req, res, url) => serve(dir, req, res, url) };
}

function serve(dir: string, req: IncomingMessage, res: ServerResponse, url: URL): void {
  req.resume();
  if (!isConsoleBuilt(dir)) {
    sendJsonError(
      res,
      new VigilError(
        'console_not_built',
        `the web console is not built (no ${join(dir, 'index.html')}); run npm run build`,
      ),
      undefined,
      CONSOLE_SECURITY_HEADERS,
    );
    return;
  }
  const file = consoleFileFor(dir, url.pathname);
  if (!file) {
    sendJsonError(
      res,
      new VigilError('route_unknown', `no route for ${req.method} ${url.pathname}`),
      undefined,
      CONSOLE_SECURITY_HEADERS,
    );
    return;
  }
  const body = readConsoleFile(file);
  res.writeHead(200, {
    ...CONSOLE_SECURITY_HEADERS,
    'content-type': contentTypeOf(file.path),
    'content-length': body.length,
    'cache-control': file.immutable ? `public, max-age=${YEAR_SECONDS}, immutable` : 'no-cache',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
