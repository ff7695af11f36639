// One port-based connection's listener: binds it, tracks accepted sockets, and bounds the
// connections still logging in, on the whole listener and per source address, turning away those
// beyond either bound in the protocol's own words (docs/protocols.md#connections-still-logging-in).
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { type ErrorCode, toVigilError } from '../core/errors.js';
import type { ListenersSection } from '../core/listeners-config.js';
import type { ModuleContext } from '../pipeline/module-context.js';
import type { TcpMount } from '../protocols/module.js';
import { loginSource } from './login-source.js';
import { refusalBurst } from './refusal-burst.js';

export interface ProtocolListener {
  readonly connection: string;
  /** host:port actually bound. */
  readonly address: string;
  close(): Promise<void>;
}

/** Which bound turned a client away: the listener's `max_pending_logins`, or its source's share. */
export type LoginCap = 'listener' | 'source';

/** What the listeners report beyond the log: the gateway's metrics. */
export interface ListenerObserver {
  /** A client was turned away because too many were still logging in on the connection's listener, or from its source. */
  loginRefused(connection: string, cap: LoginCap): void;
}

/**
 * How long a client turned away may take to read its refusal before its socket is closed: a client
 * that closes first (psql, mysql) frees it sooner.
 */
const REFUSAL_LINGER_MS = 1000;
const TOO_MANY_LOGINS: ErrorCode = 'too_many_logins';

export async function listen(
  mount: TcpMount,
  ctx: ModuleContext,
  limits: ListenersSection,
  observer: ListenerObserver | undefined,
): Promise<ProtocolListener> {
  const sockets = new Set<Socket>();
  // Connections still logging in, and refused ones still saying goodbye: each holds a descriptor
  // and buffers without having shown a credential, so each is bounded, as PostgreSQL bounds them
  // with max_connections and authentication_timeout, and OpenSSH with MaxStartups and LoginGraceTime.
  // Per source too, as OpenSSH's PerSourceMaxStartups, so that one address cannot take every slot.
  let loggingIn = 0;
  let refusing = 0;
  // Only sources with a login in flight, each removed at zero: at most max_pending_logins entries.
  const bySource = new Map<string, number>();
  const burst = refusalBurst(
    ctx.logger,
    { connection: mount.connection, code: TOO_MANY_LOGINS },
    {
      started: 'listener turns connections away: too many are still logging in',
      over: 'listener no longer turns connections away',
    },
  );
  const turnAway = (socket: Socket, cap: LoginCap, source: string) => {
    burst.refused(
      cap,
      cap === 'listener'
        ? { max_pending_logins: limits.max_pending_logins }
        : { source, max_pending_logins_per_source: limits.max_pending_logins_per_source },
    );
    observer?.loginRefused(mount.connection, cap);
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
    const source = loginSource(socket.remoteAddress);
    if (loggingIn >= limits.max_pending_logins) return turnAway(socket, 'listener', source);
    const fromSource = bySource.get(source) ?? 0;
    if (fromSource >= limits.max_pending_logins_per_source) return turnAway(socket, 'source', source);
    loggingIn++;
    bySource.set(source, fromSource + 1);
    let counted = true;
    const timer = setTimeout(() => socket.destroy(), limits.login_timeout).unref();
    const loginOver = () => {
      if (!counted) return;
      counted = false;
      loggingIn--;
      const left = (bySource.get(source) ?? 1) - 1;
      if (left === 0) bySource.delete(source);
      else bySource.set(source, left);
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
