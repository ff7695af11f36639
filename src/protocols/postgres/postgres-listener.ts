// A TCP listener per postgres connection. Each accepted socket goes through the handshake and
// then runs as a proxy session; close() stops accepting and drops the live connections.

import type { AddressInfo } from 'node:net';
import { createServer, type Socket } from 'node:net';
import { createSecureContext } from 'node:tls';
import type { PostgresConnectionConfig } from '../../core/config.js';
import { toVigilError } from '../../core/errors.js';
import type { Pipeline } from '../../pipeline/pipeline.js';
import type { SessionManager } from '../../pipeline/sessions.js';
import type { CancelKeys } from './cancel-keys.js';
import { acceptClient } from './client-handshake.js';
import type { SqlClassifier } from './sql-classifier.js';

export interface PostgresListenerDeps {
  readonly pipeline: Pipeline;
  readonly sessions: SessionManager;
  readonly logger: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  readonly credential: string | null;
  /** PEM certificate and key when the connection has `tls` configured. */
  readonly tls: { readonly cert: string; readonly key: string } | null;
  readonly classifier: SqlClassifier;
  readonly cancelKeys: CancelKeys;
}

export interface PostgresListener {
  readonly connection: string;
  readonly address: string;
  close(): Promise<void>;
}

export async function startPostgresListener(
  config: PostgresConnectionConfig,
  deps: PostgresListenerDeps,
): Promise<PostgresListener> {
  const secureContext = deps.tls ? createSecureContext({ cert: deps.tls.cert, key: deps.tls.key }) : null;
  const sockets = new Set<Socket>();
  const ctx = { ...deps, config, secureContext };
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    acceptClient(socket, ctx).catch((err: unknown) => {
      deps.logger.warn({ connection: config.name, err: toVigilError(err).message }, 'postgres client failed');
      socket.destroy();
    });
  });
  const i = config.listen.lastIndexOf(':');
  const host = config.listen.slice(0, i).replace(/^\[|\]$/g, '');
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(config.listen.slice(i + 1)), host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const address = `${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`;
  deps.logger.info({ connection: config.name, address }, 'postgres listener started');
  return {
    connection: config.name,
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
