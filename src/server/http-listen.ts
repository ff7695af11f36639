// The gateway's HTTP listener: where it listens (host and port from the `listen` setting), the
// bounds it puts on connections (listeners.http_*, docs/protocols.md#the-http-listener), and how it
// closes (idle connections at once, busy ones after two seconds).
import type { IncomingMessage, Server, ServerOptions } from 'node:http';
import type { ErrorCode } from '../core/errors.js';
import type { ListenersSection } from '../core/listeners-config.js';
import type { ModuleLogger } from '../pipeline/module-context.js';
import { refusalBurst } from './refusal-burst.js';

const TOO_MANY_CONNECTIONS: ErrorCode = 'too_many_connections';

/** What the HTTP listener reports beyond the log: the gateway's metrics. */
export interface HttpListenerObserver {
  /** A connection was closed at once because the listener held http_max_connections already. */
  httpConnectionRefused(): void;
}

/**
 * Node's own timeouts, made explicit. `requestTimeout` covers receiving the request (headers and
 * body) and stops once the request is in, so a model's response may stream for as long as it
 * takes. Node checks both timeouts every `connectionsCheckingInterval` (30 s by default, which
 * would let a 30 s headers timeout run to a minute): at most every 5 s here, a pass over the
 * connections whose request is still coming in.
 */
export function httpServerTimeouts(limits: ListenersSection): ServerOptions {
  return {
    headersTimeout: limits.http_headers_timeout,
    requestTimeout: limits.http_request_timeout,
    connectionsCheckingInterval: Math.min(5_000, limits.http_headers_timeout / 2),
  };
}

/**
 * Bounds the connections of `server`: past `http_max_connections` Node closes a new one at once
 * (counted, and logged once per burst); a connection that sends nothing is closed once
 * `http_headers_timeout` has passed in silence, as Node's headers timeout only starts with the
 * request's first byte. Returns what stops the burst log's timer.
 */
export function boundHttpConnections(
  server: Server,
  limits: ListenersSection,
  logger: Pick<ModuleLogger, 'warn'>,
  observer: HttpListenerObserver | undefined,
): () => void {
  server.maxConnections = limits.http_max_connections;
  const burst = refusalBurst(
    logger,
    { code: TOO_MANY_CONNECTIONS, http_max_connections: limits.http_max_connections },
    {
      started: 'HTTP listener closes new connections: it holds as many as it may',
      over: 'HTTP listener no longer closes new connections',
    },
  );
  server.on('drop', () => {
    burst.refused('listener');
    observer?.httpConnectionRefused();
  });
  // Until its first request is in: an idle timeout (activity pushes it back; Node's headers
  // timeout bounds the whole) that a request lifts. Between requests Node's keep-alive timeout
  // applies, and while a response streams nothing does.
  server.on('connection', (socket) => socket.setTimeout(limits.http_headers_timeout));
  server.on('request', (req: IncomingMessage) => req.socket.setTimeout(0));
  return () => burst.close();
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 2000).unref();
  });
}

export function splitHostPort(listen: string): [string, number] {
  const i = listen.lastIndexOf(':');
  const host = listen.slice(0, i).replace(/^\[|\]$/g, '');
  return [host, Number(listen.slice(i + 1))];
}
