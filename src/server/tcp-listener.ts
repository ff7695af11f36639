// One port-based connection's listener: binds it, tracks accepted sockets, and bounds the
// connections still logging in, on the whole listener and per source address, turning away those
// beyond either bound in the protocol's own words, yet still serving a request that takes no login
// (a PostgreSQL cancel) from them (docs/protocols.md#connections-still-logging-in).
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { type ErrorCode, toVigilError } from '../core/errors.js';
import type { ListenersSection } from '../core/listeners-config.js';
import type { ModuleContext } from '../pipeline/module-context.js';
import type { QuickRequest, TcpMount } from '../protocols/module.js';
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
/**
 * How long a client beyond a bound may take to send the mount's quick request before it is turned
 * away like the others: clients send a cancel as soon as they are connected, so a second is ample,
 * and one that sends nothing holds its place in the allowance no longer.
 */
const QUICK_WINDOW_MS = 1000;
/**
 * Clients beyond a bound that may wait for, or be served, a quick request at once, per listener
 * and per source: few, as each holds a descriptor without a credential shown, and shared out like
 * the login slots so that one address cannot take them all.
 */
const QUICK_ALLOWANCE = 10;
const QUICK_PER_SOURCE = 5;

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
  // Clients beyond a bound in their quick window or being served a quick request, in all and by source.
  let quick = 0;
  const quickBySource = new Map<string, number>();
  let closing = false;
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
    // A client that left during its quick window is counted, and there is no one to tell.
    if (socket.destroyed) return;
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
  /** Hands a socket to the module; `over` runs once, when its login is over, it closes, or login_timeout passes. */
  const serve = (socket: Socket, over: () => void) => {
    let serving = true;
    const timer = setTimeout(() => socket.destroy(), limits.login_timeout).unref();
    const loginOver = () => {
      if (!serving) return;
      serving = false;
      clearTimeout(timer);
      over();
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
  };
  // A client beyond a bound, within the quick allowance, has a window to send the mount's quick
  // request, served then without a login slot; otherwise it is turned away as it would have been.
  const beyondBound = (socket: Socket, cap: LoginCap, source: string) => {
    const request = mount.quickRequest;
    if (!request || quick >= QUICK_ALLOWANCE || (quickBySource.get(source) ?? 0) >= QUICK_PER_SOURCE)
      return turnAway(socket, cap, source);
    quick++;
    countUp(quickBySource, source);
    const release = () => {
      quick--;
      countDown(quickBySource, source);
    };
    awaitQuickRequest(socket, request, (whole) => {
      if (whole) return serve(socket, release);
      release();
      if (!closing) turnAway(socket, cap, source);
    });
  };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    const source = loginSource(socket.remoteAddress);
    if (loggingIn >= limits.max_pending_logins) return beyondBound(socket, 'listener', source);
    if ((bySource.get(source) ?? 0) >= limits.max_pending_logins_per_source)
      return beyondBound(socket, 'source', source);
    loggingIn++;
    countUp(bySource, source);
    serve(socket, () => {
      loggingIn--;
      countDown(bySource, source);
    });
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
        closing = true;
        burst.close();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

/**
 * Reads a client's first bytes for up to QUICK_WINDOW_MS: `done(true)` once they are the whole quick
 * request, put back unread for the module; `done(false)` as soon as they cannot be one, or when the
 * window ends or the client leaves first. Nothing is written meanwhile: no TLS, no greeting.
 */
function awaitQuickRequest(socket: Socket, request: QuickRequest, done: (whole: boolean) => void): void {
  let head = Buffer.alloc(0);
  const finish = (whole: boolean) => {
    clearTimeout(timer);
    socket.off('readable', onReadable);
    socket.off('end', notIt);
    socket.off('close', notIt);
    if (whole) socket.unshift(head);
    done(whole);
  };
  const notIt = () => finish(false);
  // Paused-mode reads, so that what is put back waits for whoever reads the socket next.
  const onReadable = () => {
    for (;;) {
      const chunk = socket.read() as Buffer | null;
      if (chunk === null) return;
      head = Buffer.concat([head, chunk]);
      if (!request.matches(head.subarray(0, request.bytes))) return finish(false);
      if (head.length >= request.bytes) return finish(true);
    }
  };
  const timer = setTimeout(notIt, QUICK_WINDOW_MS).unref();
  socket.on('error', () => socket.destroy());
  socket.on('readable', onReadable);
  socket.once('end', notIt);
  socket.once('close', notIt);
}

/** One more under `key`. */
function countUp(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** One fewer under `key`, its entry removed at zero: a map holds only the keys in use. */
function countDown(counts: Map<string, number>, key: string): void {
  const left = (counts.get(key) ?? 1) - 1;
  if (left === 0) counts.delete(key);
  else counts.set(key, left);
}
