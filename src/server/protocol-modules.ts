// Runs the registered protocol modules: each module with configured connections is started on the
// narrow module context; the server owns what every port-based protocol needs alike (binding,
// tracking accepted sockets, bounding the connections still logging in, closing them at shutdown)
// and routes /c/<connection>/ to HTTP mounts. Nothing here names a protocol: it loops over the registry.
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import type { VigilConfig } from '../core/config.js';
import { type ErrorCode, toVigilError } from '../core/errors.js';
import type { ModuleContext } from '../pipeline/module-context.js';
import type { Guard } from '../pipeline/policy.js';
import type { HttpMount, StartedModule, TcpMount, WellKnownMount } from '../protocols/module.js';
import type { ProtocolRegistry } from '../protocols/registry.js';

export interface ProtocolListener {
  readonly connection: string;
  /** host:port actually bound. */
  readonly address: string;
  close(): Promise<void>;
}

export interface RunningProtocols {
  /** Listeners of port-based connections, by connection. */
  readonly listeners: readonly ProtocolListener[];
  /** The HTTP mount serving /c/<connection>/, if that connection has one. */
  http(connection: string): HttpMount | undefined;
  /** The host-level well-known documents a connection publishes, if any. */
  wellKnown(connection: string): WellKnownMount | undefined;
  /** Stops accepting, drops live sockets, then lets each module release what it holds. */
  close(): Promise<void>;
}

function connectionsByModule(registry: ProtocolRegistry, config: VigilConfig) {
  return registry.modules
    .map((module) => ({
      module,
      connections: config.connections.filter((c) => registry.moduleFor(c.type) === module),
    }))
    .filter((m) => m.connections.length > 0);
}

/** The guards the modules add to the shared policy stage for their connections. */
export async function buildGuards(registry: ProtocolRegistry, config: VigilConfig): Promise<Guard[]> {
  const guards: Guard[] = [];
  for (const { module, connections } of connectionsByModule(registry, config)) {
    if (module.guards) guards.push(...(await module.guards(connections)));
  }
  return guards;
}

/** What the listeners report beyond the log: the gateway's metrics. */
export interface ListenerObserver {
  /** A client was turned away because too many were still logging in on the connection's listener. */
  loginRefused(connection: string): void;
}

export async function startProtocols(
  registry: ProtocolRegistry,
  config: VigilConfig,
  ctx: ModuleContext,
  observer?: ListenerObserver,
): Promise<RunningProtocols> {
  const started: StartedModule[] = [];
  const listeners: ProtocolListener[] = [];
  const mounts = new Map<string, HttpMount>();
  const wellKnown = new Map<string, WellKnownMount>();
  const closeAll = async () => {
    await Promise.all(listeners.map((l) => l.close()));
    await Promise.all(started.map((m) => m.close()));
  };
  try {
    for (const { module, connections } of connectionsByModule(registry, config)) {
      const running = await module.start(ctx, connections);
      started.push(running);
      for (const [name, mount] of running.http ?? []) mounts.set(name, mount);
      for (const [name, mount] of running.wellKnown ?? []) wellKnown.set(name, mount);
      for (const tcp of running.tcp ?? []) listeners.push(await listen(tcp, ctx, config.listeners, observer));
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  return {
    listeners,
    http: (connection) => mounts.get(connection),
    wellKnown: (connection) => wellKnown.get(connection),
    close: closeAll,
  };
}

/**
 * How long a client turned away may take to read its refusal before its socket is closed: a client
 * that closes first (psql, mysql) frees it sooner.
 */
const REFUSAL_LINGER_MS = 1000;
/** A burst of refusals is logged when it starts, and once more with its count when none has come for this long. */
const BURST_QUIET_MS = 10_000;
const TOO_MANY_LOGINS: ErrorCode = 'too_many_logins';

async function listen(
  mount: TcpMount,
  ctx: ModuleContext,
  limits: VigilConfig['listeners'],
  observer: ListenerObserver | undefined,
): Promise<ProtocolListener> {
  const sockets = new Set<Socket>();
  // Connections still logging in, and refused ones still saying goodbye: each holds a descriptor
  // and buffers without having shown a credential, so each is bounded, as PostgreSQL bounds them
  // with max_connections and authentication_timeout, and OpenSSH with MaxStartups and LoginGraceTime.
  let loggingIn = 0;
  let refusing = 0;
  const burst = refusalBurst(mount.connection, limits.max_pending_logins, ctx);
  const turnAway = (socket: Socket) => {
    burst.refused();
    observer?.loginRefused(mount.connection);
    if (!mount.tooManyLogins || refusing >= limits.max_pending_logins) return void socket.destroy();
    refusing++;
    socket.once('close', () => refusing--);
    socket.on('error', () => socket.destroy());
    // What the client sends meanwhile is read and dropped: unread bytes at close would reset the
    // connection and could take the refusal with them.
    socket.resume();
    socket.end(mount.tooManyLogins);
    setTimeout(() => socket.destroy(), REFUSAL_LINGER_MS).unref();
  };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    if (loggingIn >= limits.max_pending_logins) return turnAway(socket);
    loggingIn++;
    let counted = true;
    const timer = setTimeout(() => socket.destroy(), limits.login_timeout).unref();
    const loginOver = () => {
      if (!counted) return;
      counted = false;
      loggingIn--;
      clearTimeout(timer);
    };
    socket.once('close', loginOver);
    try {
      const login = mount.accept(socket);
      if (login) login.then(loginOver, loginOver);
      else loginOver();
    } catch (err) {
      ctx.logger.warn({ connection: mount.connection, err: toVigilError(err).message }, 'client failed');
      socket.destroy();
    }
  });
  const i = mount.listen.lastIndexOf(':');
  const host = mount.listen.slice(0, i).replace(/^\[|\]$/g, '');
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(mount.listen.slice(i + 1)), host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const address = `${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`;
  ctx.logger.info({ connection: mount.connection, address }, 'listener started');
  return {
    connection: mount.connection,
    address,
    close: () =>
      new Promise<void>((resolve) => {
        burst.close();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

/** The log of refusals at one listener: one line when a burst starts and one when it is over, never one per client. */
function refusalBurst(connection: string, limit: number, ctx: ModuleContext) {
  let refused = 0;
  let quiet: NodeJS.Timeout | null = null;
  const over = () => {
    quiet = null;
    ctx.logger.warn(
      { connection, code: TOO_MANY_LOGINS, refused },
      'listener no longer turns connections away',
    );
    refused = 0;
  };
  return {
    refused() {
      if (refused++ === 0)
        ctx.logger.warn(
          { connection, code: TOO_MANY_LOGINS, max_pending_logins: limit },
          'listener turns connections away: too many are still logging in',
        );
      if (quiet) quiet.refresh();
      else quiet = setTimeout(over, BURST_QUIET_MS).unref();
    },
    close() {
      if (quiet) clearTimeout(quiet);
    },
  };
}
