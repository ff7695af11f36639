// The gateway's HTTP listener: where it listens (host and port from the `listen` setting) and how
// it closes (idle connections at once, busy ones after two seconds).
import type { Server } from 'node:http';

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
