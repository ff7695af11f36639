// The startup phase of one client connection: SSLRequest (upgrade to TLS), GSSENCRequest
// (refused), CancelRequest (mapped to the upstream's key), then the StartupMessage and a cleartext
// password exchange in which the password is the client's Vigil token. Only after the pipeline
// has authenticated and authorized it does Vigil open the upstream connection with the credential
// it holds, and hand the client a BackendKeyData of its own.
import type { Socket } from 'node:net';
import { type SecureContext, TLSSocket } from 'node:tls';
import { toVigilError, VigilError } from '../../core/errors.js';
import type { ModuleContext, ModuleSession } from '../../pipeline/module-context.js';
import { DEFAULT_READ_AHEAD_BYTES } from '../../relay/index.js';
import { type CancelKeys, cancelUpstream } from './cancel-keys.js';
import type { PostgresConnectionConfig } from './config.js';
import { FrameReader } from './frame-reader.js';
import { FrameWaiter, withTimeout } from './frame-waiter.js';
import { parsePassword, parseStartupPacket } from './frontend-messages.js';
import { checkStartupParams } from './lexical-settings.js';
import { PostgresProxy } from './proxy-session.js';
import { checkServerReport } from './read-only-settings.js';
import type { SqlClassifier } from './sql-classifier.js';
import {
  connectUpstream,
  parseUpstreamUrl,
  type UpstreamConnection,
  type UpstreamTarget,
} from './upstream-connect.js';
import { type PooledUpstream, poolKey, type UpstreamPool } from './upstream-pool.js';
import { vigilErrorResponse } from './wire-errors.js';
import {
  AUTH,
  authenticationRequest,
  backendKeyData,
  negotiateProtocolVersion,
  parameterStatus,
  query,
  readyForQuery,
  terminate as terminateMessage,
} from './wire-writer.js';

export interface PostgresConnectionContext {
  readonly config: PostgresConnectionConfig;
  readonly module: ModuleContext;
  /** The upstream password Vigil injects (null: trust, or the password in the upstream URL). */
  readonly credential: string | null;
  readonly secureContext: SecureContext | null;
  readonly classifier: SqlClassifier;
  readonly cancelKeys: CancelKeys;
  /** Server connections kept between sessions of this connection (upstream reuse). */
  readonly pool: UpstreamPool;
}

/** PostgreSQL caps startup packets at 10,000 bytes; so does Vigil. */
const MAX_STARTUP_BYTES = 10_000;
const STARTUP_TIMEOUT_MS = 30_000;
/**
 * While Vigil admits the client and logs in upstream it reads none of the client's messages; what
 * the client pipelines meanwhile is kept up to the relay's read-ahead, then the socket is paused.
 */
const CLIENT_READ_AHEAD = { pauseAboveBytes: DEFAULT_READ_AHEAD_BYTES };

/** Startup parameters passed on to the upstream. `options` and `replication` are not: they could change the role or bypass guardrails. */
const FORWARDED_PARAMS = [
  'application_name',
  'client_encoding',
  'DateStyle',
  'TimeZone',
  'IntervalStyle',
  'extra_float_digits',
  'search_path',
];

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

export function upstreamTarget(ctx: PostgresConnectionContext): UpstreamTarget {
  const url = parseUpstreamUrl(ctx.config.upstream);
  return { ...url, password: ctx.credential ?? url.password, tls: ctx.config.upstream_tls };
}

export async function acceptClient(raw: Socket, ctx: PostgresConnectionContext): Promise<void> {
  raw.setNoDelay(true);
  let socket: Socket | TLSSocket = raw;
  let waiter = new FrameWaiter(socket, new FrameReader(MAX_STARTUP_BYTES, true), CLIENT_READ_AHEAD);
  let tls = false;
  const fail = (err: VigilError) => {
    waiter.detach();
    if (!socket.destroyed) socket.end(vigilErrorResponse(err, true));
    setTimeout(() => socket.destroy(), 1000).unref();
  };
  socket.on('error', () => socket.destroy());

  // 1. Startup packets until the StartupMessage itself.
  let startup: { readonly version: number; readonly params: Readonly<Record<string, string>> };
  try {
    startup = await withTimeout(
      (async () => {
        for (;;) {
          const packet = parseStartupPacket((await waiter.next()).body);
          if (packet.kind === 'startup') return packet;
          if (packet.kind === 'cancel') {
            ctx.cancelKeys.cancel(packet.pid, packet.secret, raw.remoteAddress ?? null);
            throw new VigilError('protocol_violation', 'cancel request handled');
          }
          if (packet.kind === 'gssenc' || tls || !ctx.secureContext) {
            socket.write('N');
            continue;
          }
          // Bytes sent after an SSLRequest and before the handshake would bypass TLS: refuse them.
          if (waiter.reader.buffered > 0) throw new VigilError('protocol_violation', 'data after SSLRequest');
          waiter.detach();
          socket.write('S');
          socket = await upgrade(raw, ctx.secureContext);
          tls = true;
          waiter = new FrameWaiter(socket, new FrameReader(MAX_STARTUP_BYTES, true), CLIENT_READ_AHEAD);
        }
      })(),
      STARTUP_TIMEOUT_MS,
      () => new VigilError('protocol_violation', 'startup did not complete in time'),
    );
  } catch (err) {
    const error = toVigilError(err, 'protocol_violation');
    if (error.message === 'cancel request handled') {
      waiter.detach();
      socket.destroy();
    } else fail(error);
    return;
  }
  const params = startup.params;
  if (params.replication !== undefined && params.replication !== 'false') {
    return fail(
      new VigilError('protocol_violation', 'replication connections are not supported through Vigil'),
    );
  }
  const pinned = checkStartupParams(params);
  if (pinned) return fail(pinned);
  if (!tls && !(ctx.config.allow_cleartext_on_loopback && isLoopback(raw.remoteAddress))) {
    return fail(
      new VigilError(
        'auth_missing',
        'this connection requires TLS (connect with sslmode=require) before a token is sent',
      ),
    );
  }

  // 2. The password is the Vigil token. A client that asked for a newer protocol (3.2) or for
  // protocol options is told first that this is 3.0 without them, as PostgreSQL tells it, so it
  // does not go on assuming what was never agreed.
  waiter.reader.untyped = false;
  const protocolOptions = Object.keys(params).filter((name) => name.startsWith('_pq_.'));
  if ((startup.version & 0xffff) !== 0 || protocolOptions.length > 0)
    socket.write(negotiateProtocolVersion(protocolOptions));
  socket.write(authenticationRequest(AUTH.cleartext));
  // The session state the client's startup parameters give the server (a search_path decides
  // which table a name reads) is no SQL statement Vigil judges: it is recorded with the session.
  const forwarded: Record<string, string> = {};
  for (const name of FORWARDED_PARAMS) if (params[name] !== undefined) forwarded[name] = params[name]!;
  const facts = {
    client: raw.remoteAddress ?? null,
    user: params.user ?? null,
    database: params.database ?? null,
    application_name: params.application_name ?? null,
    startup_parameters: forwarded,
    tls,
  };
  let session: ModuleSession;
  try {
    let password: string | null = null;
    try {
      const frame = await withTimeout(
        waiter.next(),
        STARTUP_TIMEOUT_MS,
        () => new VigilError('auth_missing', 'no password was sent in time'),
      );
      if (frame.code !== 'p')
        throw new VigilError('protocol_violation', `expected a password message, got '${frame.code}'`);
      password = parsePassword(frame.body);
    } catch (err) {
      // No password: admitted with none, so the refusal is recorded like any other.
      if (toVigilError(err).code !== 'auth_missing') throw err;
    }
    // 3. Authenticated, authorized and in a session (a refusal is recorded by admit).
    session = await ctx.module.admit({
      connection: ctx.config,
      protocol: 'postgres',
      credential: password,
      facts,
    });
  } catch (err) {
    return fail(toVigilError(err, 'auth_invalid'));
  }

  // 4. The upstream, with the injected credential.
  const target = upstreamTarget(ctx);
  const upstreamParams: Record<string, string> = { ...forwarded };
  // Pinned: a client that names no encoding reads UTF-8 too (the server reports it in ParameterStatus).
  upstreamParams.client_encoding ??= 'UTF8';
  upstreamParams.user = target.user ?? params.user ?? 'postgres';
  upstreamParams.database = target.database ?? params.database ?? upstreamParams.user;
  if (ctx.config.guardrails.read_only) upstreamParams.default_transaction_read_only = 'on';
  const poolAs = poolKey(upstreamParams);
  let upstream: PooledUpstream;
  try {
    // A kept server connection is taken synchronously and read again from the next tick: nothing
    // below awaits before the proxy starts reading it.
    upstream = ctx.pool.take(poolAs) ?? {
      ...(await connectUpstream(target, upstreamParams)),
      openedAt: Date.now(),
      reuses: 0,
    };
  } catch (err) {
    const error = toVigilError(err, 'upstream_unreachable');
    ctx.module.logger.warn(
      { connection: ctx.config.name, err: error.message },
      'postgres upstream connection failed',
    );
    await session.end('closed', { error: error.code, message: error.message });
    return fail(error);
  }
  if (socket.destroyed) {
    upstream.socket.destroy();
    await session.end('client-closed');
    return;
  }
  // A role or database default can set what the startup packet did not: Vigil must read text as
  // the server does, and a read-only connection's server session must be read-only.
  for (const [name, value] of upstream.parameters) {
    const drift = checkServerReport(name, value, ctx.config.guardrails.read_only);
    if (!drift) continue;
    upstream.socket.destroy();
    await session.end('closed', { error: drift.code, message: drift.message });
    return fail(drift);
  }

  // 4. The client is in: its own cancel key, the server's parameters, ready.
  let proxy: PostgresProxy | null = null;
  const key = ctx.cancelKeys.issue(target, upstream.pid, upstream.secret, (origin) =>
    proxy?.cancelRequested(origin),
  );
  const hello = [authenticationRequest(AUTH.ok)];
  for (const [name, value] of upstream.parameters) hello.push(parameterStatus(name, value));
  hello.push(backendKeyData(key.pid, key.secret), readyForQuery(upstream.status));
  socket.write(Buffer.concat(hello));
  waiter.detach();
  waiter.reader.maxBytes = ctx.config.max_message_bytes;
  proxy = new PostgresProxy(
    socket,
    waiter.reader,
    upstream,
    session,
    {
      classifier: ctx.classifier,
      recordRows: ctx.config.record_rows,
      isSecretName: ctx.module.masker.isSecretName,
      allowUnknownStatements: ctx.config.allow_unknown_statements,
      readOnly: ctx.config.guardrails.read_only,
      logger: ctx.module.logger,
      stopUpstream: () => stopBackend(target, upstreamParams, upstream),
      keepUpstream: (socket) => {
        void ctx.pool.give(poolAs, { ...upstream, socket });
      },
    },
    () => ctx.cancelKeys.release(key.pid),
  );
  proxy.start();
}

function upgrade(raw: Socket, secureContext: SecureContext): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = new TLSSocket(raw, { isServer: true, secureContext });
    secure.once('secure', () => {
      secure.off('error', reject);
      resolve(secure);
    });
    secure.once('error', reject);
  });
}

/**
 * Stops the backend serving a connection Vigil is cutting: a cancel request for the statement it
 * runs, and pg_terminate_backend from a second connection of the same role, so that nothing already
 * queued for it runs after the cut. Best effort, bounded in time.
 */
async function stopBackend(
  target: UpstreamTarget,
  params: Readonly<Record<string, string>>,
  upstream: UpstreamConnection,
): Promise<void> {
  const terminate = (async () => {
    const admin = await connectUpstream(target, { user: params.user!, database: params.database! }, 2000);
    try {
      admin.socket.write(
        Buffer.concat([query(`SELECT pg_terminate_backend(${upstream.pid})`), terminateMessage()]),
      );
      await new Promise<void>((resolve) => {
        admin.socket.once('close', () => resolve());
        setTimeout(resolve, 2000).unref();
      });
    } finally {
      admin.socket.destroy();
    }
  })().catch(() => undefined);
  await Promise.all([cancelUpstream(target, upstream.pid, upstream.secret), terminate]);
}
