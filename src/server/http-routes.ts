// The gateway's one HTTP listener, by path: `/c/<connection>/…` to the HTTP protocol modules (the
// data path), then the few fixed routes (health, checkpoint note, metrics), the admin API, sign-in
// and SCIM, then the web console's pages and assets (src/console/). Anything else is `route_unknown`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toVigilError, VigilError } from '../core/errors.js';
import type { JsonObject } from '../core/events.js';
import { sendJsonError as sendApiError, sendJson } from '../http/json-response.js';
import { decodePathSegment, parseRequestUrl } from '../http/request-path.js';
import { METRICS_PATH } from '../metrics/metrics-endpoint.js';
import type { HttpMount, WellKnownMount } from '../protocols/module.js';

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

export interface HttpRoutes {
  /** The HTTP protocol module serving a connection, if it is one. */
  readonly connection: (name: string) => HttpMount | undefined;
  /** What a connection publishes at the host's /.well-known/<document>/c/<connection>/…, if anything. */
  readonly wellKnown: (name: string) => WellKnownMount | undefined;
  readonly health: () => JsonObject;
  /** The latest checkpoint as a C2SP note (with witness cosignatures), or null before the first. */
  readonly checkpointNote: () => string | null;
  /** Null when metrics are off: the path is then unknown. */
  readonly metrics: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | null;
  readonly admin: Handler;
  readonly auth: Handler;
  /** Null when SCIM is off. */
  readonly scim: Handler | null;
  /** The web console: its pages and built assets, the last GET/HEAD fallback. */
  readonly console: {
    handles(pathname: string): boolean;
    serve(req: IncomingMessage, res: ServerResponse, url: URL): void;
  };
}

export function routeRequests(
  routes: HttpRoutes,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    let url: URL;
    let m: RegExpExecArray | null;
    let name = '';
    try {
      url = parseRequestUrl(req.url);
      m = /^\/c\/([^/]+)(\/.*)?$/.exec(url.pathname);
      if (m) name = decodePathSegment(m[1]!);
    } catch (err) {
      // Such a target names no connection, so there is nothing to attribute a refusal to: answered, not recorded.
      req.resume();
      return sendApiError(res, toVigilError(err));
    }
    if (m) {
      const mount = routes.connection(name);
      if (!mount) {
        req.resume();
        return sendApiError(res, new VigilError('connection_unknown', `no HTTP connection named ${m[1]}`));
      }
      return mount(req, res, m[2] ?? '/', url.search);
    }
    const known = /^\/\.well-known\/([^/]+)\/c\/([^/]+)(\/.*)$/.exec(url.pathname);
    if (known && serveWellKnown(routes, req, res, known)) return;
    if (url.pathname === '/healthz') return sendJson(res, 200, routes.health());
    if (url.pathname === '/checkpoint' && (req.method === 'GET' || req.method === 'HEAD')) {
      return sendCheckpointNote(res, routes.checkpointNote());
    }
    if (url.pathname === METRICS_PATH && routes.metrics) return routes.metrics(req, res);
    if (url.pathname.startsWith('/api/')) return routes.admin(req, res, url);
    if (url.pathname.startsWith('/auth/')) return routes.auth(req, res, url);
    if (routes.scim && /^\/scim\/v2(\/|$)/.test(url.pathname)) return routes.scim(req, res, url);
    if ((req.method === 'GET' || req.method === 'HEAD') && routes.console.handles(url.pathname))
      return routes.console.serve(req, res, url);
    req.resume();
    sendApiError(res, new VigilError('route_unknown', `no route for ${req.method} ${url.pathname}`));
  };
}

/**
 * The latest signed checkpoint as a C2SP note, public like the tlog convention's `<prefix>/checkpoint`:
 * it names only the log's size and root, which reveal nothing recorded.
 */
function sendCheckpointNote(res: ServerResponse, note: string | null): void {
  if (note === null) {
    sendApiError(res, new VigilError('checkpoint_none', 'no checkpoint has been signed yet'));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(note);
}

/** A connection's document at the host's well-known location; false when there is none to serve. */
function serveWellKnown(
  routes: HttpRoutes,
  req: IncomingMessage,
  res: ServerResponse,
  [, document, connection, resourcePath]: RegExpExecArray,
): boolean {
  let name: string;
  try {
    name = decodePathSegment(connection!);
  } catch {
    return false;
  }
  return routes.wellKnown(name)?.(req, res, document!, resourcePath!) ?? false;
}
