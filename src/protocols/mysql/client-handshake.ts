// The connection phase of one client: Vigil's greeting (the upstream's version, probed once),
// an optional SSL request and TLS upgrade, then the token as the password. Vigil holds no password
// hash a MySQL scramble could be checked against (a token is stored hashed, or is a signed JWT),
// so it always asks for the password itself: caching_sha2_password's full authentication (the
// token in cleartext over TLS, or RSA-encrypted with the nonce when the client has no TLS),
// mysql_clear_password when the client offers it, and an auth switch to caching_sha2_password for
// any other plugin (mysql_native_password). Only after the pipeline admits the caller does Vigil
// log in upstream with the credential it holds.
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { type SecureContext, TLSSocket } from 'node:tls';
import { toVigilError, VigilError } from '../../core/errors.js';
import { subjectKey } from '../../core/events.js';
import type { ModuleContext, ModuleSession } from '../../pipeline/module-context.js';
import { DEFAULT_READ_AHEAD_BYTES } from '../../relay/index.js';
import { newNonce, type RsaKeyPair, rsaDecryptPassword } from './auth-crypto.js';
import type { MysqlConnectionConfig } from './config.js';
import type { ConnectionIds } from './connection-ids.js';
import {
  CAP,
  MARIADB_CAP,
  PLUGIN,
  RELAYABLE_CAPS,
  RELAYABLE_MARIADB_CAPS,
  REQUIRED_CLIENT_CAPS,
  STATUS,
} from './constants.js';
import {
  authMoreDataPayload,
  authSwitchPayload,
  greetingPayload,
  type HandshakeResponse,
  parseHandshakeResponse,
  type ServerGreeting,
} from './handshake-messages.js';
import { ClientPacketFramer, type LogicalPacket } from './packet-framer.js';
import { PacketWaiter, withTimeout } from './packet-waiter.js';
import { okPayload, packet } from './packet-writer.js';
import type { ParserPool } from './parser-pool.js';
import { UNSAFE_COLLATION_IDS } from './pinned-settings.js';
import { MysqlProxy } from './proxy-session.js';
import { checkSessionSettings, killThread, stopConnection } from './session-checks.js';
import { connectUpstream, type UpstreamTarget } from './upstream-connect.js';
import { serverDialect } from './version-comments.js';
import { vigilErrPacket } from './wire-errors.js';
import type { XaOwners } from './xa-transactions.js';

export interface MysqlConnectionContext {
  readonly config: MysqlConnectionConfig;
  readonly module: ModuleContext;
  readonly target: UpstreamTarget;
  readonly secureContext: SecureContext | null;
  readonly rsa: RsaKeyPair;
  /** The upstream's greeting, probed once per connection and cached. */
  readonly greeting: () => Promise<ServerGreeting>;
  /** The ids this connection's clients are given, and what a KILL of each reaches. */
  readonly connectionIds: ConnectionIds;
  /** The XA transactions this connection's identities started, and whose each is. */
  readonly xaOwners: XaOwners;
  /** The gateway's statement parser workers (parser-pool.ts), shared by every MySQL connection. */
  readonly parsers: ParserPool;
}

const HANDSHAKE_MAX_BYTES = 64 * 1024;
const HANDSHAKE_TIMEOUT_MS = 30_000;
/**
 * While Vigil admits the client and logs in upstream it reads none of the client's commands; what
 * the client pipelines meanwhile is kept up to the relay's read-ahead, then the socket is paused.
 */
const CLIENT_READ_AHEAD = { pauseAboveBytes: DEFAULT_READ_AHEAD_BYTES };

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

export async function acceptClient(raw: Socket, ctx: MysqlConnectionContext): Promise<void> {
  raw.setNoDelay(true);
  let socket: Socket | TLSSocket = raw;
  const framer = new ClientPacketFramer(HANDSHAKE_MAX_BYTES);
  let waiter = new PacketWaiter(socket, framer, CLIENT_READ_AHEAD);
  let seq = 0;
  const fail = (err: VigilError) => {
    waiter.detach();
    if (!socket.destroyed) socket.end(vigilErrPacket(err, seq));
    setTimeout(() => socket.destroy(), 1000).unref();
  };
  socket.on('error', () => socket.destroy());
  const next = async (): Promise<LogicalPacket> => {
    const p = await waiter.next();
    if (p.seq !== seq)
      throw new VigilError('protocol_violation', 'packet out of sequence during the handshake');
    seq = (p.lastSeq + 1) & 0xff;
    return p;
  };
  const send = (payload: Buffer) => {
    socket.write(packet(seq, payload));
    seq = (seq + 1) & 0xff;
  };

  let upstreamGreeting: ServerGreeting;
  try {
    upstreamGreeting = await ctx.greeting();
  } catch (err) {
    return fail(toVigilError(err, 'upstream_unreachable'));
  }
  const tlsOffered = ctx.secureContext !== null;
  const localFiles = ctx.config.allow_local_infile ? CAP.LOCAL_FILES : 0;
  const offered =
    (upstreamGreeting.capabilities & (RELAYABLE_CAPS | localFiles)) |
    REQUIRED_CLIENT_CAPS |
    (tlsOffered ? CAP.SSL : 0);
  const offeredMariadb = upstreamGreeting.mariadbCapabilities & RELAYABLE_MARIADB_CAPS;
  const nonce = newNonce();
  const connectionId = ctx.connectionIds.allocate();
  send(
    greetingPayload({
      serverVersion: ctx.config.server_version ?? upstreamGreeting.serverVersion,
      connectionId,
      scramble: nonce,
      capabilities: offered,
      mariadbCapabilities: offeredMariadb,
      charset: upstreamGreeting.charset,
      status: STATUS.AUTOCOMMIT,
      authPlugin: PLUGIN.cachingSha2,
    }),
  );

  // 1. The handshake response, over TLS when the client asks for it.
  let response: HandshakeResponse;
  let tls = false;
  try {
    response = await withTimeout(
      (async () => {
        let r = parseHandshakeResponse((await next()).payload);
        if (r.sslRequest) {
          if (!tlsOffered)
            throw new VigilError('protocol_violation', 'TLS was not offered on this connection');
          // A MySQL client starts TLS right after its SSL request, without waiting for an answer:
          // bytes already read are the start of its TLS handshake, and go to the TLS layer.
          waiter.detach();
          socket = await upgrade(raw, ctx.secureContext!, framer.drain());
          tls = true;
          waiter = new PacketWaiter(socket, framer, CLIENT_READ_AHEAD);
          r = parseHandshakeResponse((await next()).payload);
          if (r.sslRequest) throw new VigilError('protocol_violation', 'a second SSL request');
        }
        return r;
      })(),
      HANDSHAKE_TIMEOUT_MS,
      () => new VigilError('protocol_violation', 'the handshake did not complete in time'),
    );
    if ((response.capabilities & REQUIRED_CLIENT_CAPS) !== REQUIRED_CLIENT_CAPS)
      throw new VigilError(
        'protocol_violation',
        'the client does not support plugin authentication (protocol 4.1)',
      );
    if (UNSAFE_COLLATION_IDS.has(response.charset))
      throw new VigilError(
        'setting_pinned',
        'character sets whose bytes can hide a backslash (big5, cp932, gbk, sjis, gb18030) are not accepted',
      );
    if (!tls && !(ctx.config.allow_cleartext_on_loopback && isLoopback(raw.remoteAddress)))
      throw new VigilError(
        'auth_missing',
        'this connection requires TLS (connect with --ssl) before a token is sent',
      );
  } catch (err) {
    return fail(toVigilError(err, 'protocol_violation'));
  }

  // 2. The token, asked for in full; a client that sends none is admitted with none, so its refusal is recorded.
  let password: string | null = null;
  let method = 'none';
  try {
    ({ password, method } = await withTimeout(
      readPassword(response, nonce, tls, ctx.rsa, next, send),
      HANDSHAKE_TIMEOUT_MS,
      () => new VigilError('auth_missing', 'no password was sent in time'),
    ));
  } catch (err) {
    const error = toVigilError(err, 'protocol_violation');
    if (error.code !== 'auth_missing' && error.code !== 'auth_invalid') return fail(error);
  }

  // 3. Authenticated, authorized and in a session (a refusal is recorded by admit).
  const facts = {
    client: raw.remoteAddress ?? null,
    user: response.user,
    database: response.database,
    tls,
    auth_method: method,
  };
  let session: ModuleSession;
  try {
    session = await ctx.module.admit({
      connection: ctx.config,
      protocol: 'mysql',
      credential: password || null,
      facts,
    });
  } catch (err) {
    return fail(toVigilError(err, 'auth_invalid'));
  }

  // 4. The upstream, with the injected credential and the client's capabilities.
  const clientCaps = response.capabilities & offered & ~CAP.SSL;
  const clientMariadbCaps =
    clientCaps & CAP.LONG_PASSWORD ? 0 : response.mariadbCapabilities & offeredMariadb;
  const target = { ...ctx.target, database: response.database || ctx.target.database };
  let upstream: Awaited<ReturnType<typeof connectUpstream>>;
  try {
    upstream = await connectUpstream(target, clientCaps, response.charset, clientMariadbCaps);
    await checkSessionSettings(upstream.socket, upstream.leftover, ctx.config.guardrails.read_only);
  } catch (err) {
    const error = toVigilError(err, 'upstream_unreachable');
    ctx.module.logger.warn(
      { connection: ctx.config.name, err: error.message },
      'mysql upstream connection failed',
    );
    await session.end('closed', { error: error.code, message: error.message });
    return fail(error);
  }
  if (socket.destroyed) {
    upstream.socket.destroy();
    await session.end('client-closed');
    return;
  }

  // 5. The client is in.
  send(okPayload(STATUS.AUTOCOMMIT));
  waiter.detach();
  framer.maxBytes = ctx.config.max_message_bytes;
  const threadId = upstream.greeting.connectionId;
  const unregister = ctx.connectionIds.register(connectionId, {
    owner: session.identity,
    sessionId: session.id,
    kill: (mode) => killThread(target, threadId, mode),
  });
  const proxy = new MysqlProxy(socket, framer, upstream.socket, session, {
    recordRows: ctx.config.record_rows,
    isSecretName: ctx.module.masker.isSecretName,
    allowUnknownStatements: ctx.config.allow_unknown_statements,
    allowLocalInfile: ctx.config.allow_local_infile,
    allowSessionActivity: ctx.config.allow_session_activity,
    deprecateEof: (clientCaps & CAP.DEPRECATE_EOF) !== 0,
    extendedMetadata: (clientMariadbCaps & MARIADB_CAP.EXTENDED_METADATA) !== 0,
    database: target.database,
    readOnly: ctx.config.guardrails.read_only,
    server: serverDialect(upstream.greeting.serverVersion),
    parsing: {
      pool: ctx.parsers,
      limitMs: ctx.config.parse_time_limit_ms,
      owner: subjectKey(session.identity.subject),
      maxWaiting: ctx.config.parse_queue_per_identity,
    },
    logger: ctx.module.logger,
    stopUpstream: () => stopConnection(target, threadId),
    kills: ctx.connectionIds,
    xa: ctx.xaOwners.session(session.identity, session.id),
    onClosed: unregister,
  });
  proxy.start(Buffer.alloc(0));
}

/**
 * The client's password, asked for in a form Vigil can read. The auth response in the handshake
 * is a scramble (caching_sha2_password, mysql_native_password) Vigil cannot check, so it asks for
 * full authentication.
 */
async function readPassword(
  response: HandshakeResponse,
  nonce: Buffer,
  tls: boolean,
  rsa: RsaKeyPair,
  next: () => Promise<LogicalPacket>,
  send: (payload: Buffer) => void,
): Promise<{ password: string | null; method: string }> {
  if (response.authPlugin === PLUGIN.clear)
    return { password: cstring(response.authResponse), method: PLUGIN.clear };
  const switched = response.authPlugin !== PLUGIN.cachingSha2;
  const method = (how: string) =>
    `${switched ? `${response.authPlugin ?? 'none'}>` : ''}${PLUGIN.cachingSha2}/${how}`;
  if (response.authPlugin !== PLUGIN.cachingSha2) {
    send(authSwitchPayload(PLUGIN.cachingSha2, nonce));
    // The client's scramble for the switched plugin: empty when it has no password.
    const scramble = (await next()).payload;
    if (scramble.length === 0) return { password: null, method: method('none') };
  } else if (response.authResponse.length === 0) {
    return { password: null, method: method('none') };
  }
  send(authMoreDataPayload(Buffer.from([0x04])));
  const answer = (await next()).payload;
  if (answer.length === 1 && answer[0] === 0x02) {
    // The client has no TLS and asks for the key to encrypt its password with.
    send(authMoreDataPayload(Buffer.from(rsa.publicKeyPem, 'latin1')));
    const cipher = (await next()).payload;
    const password = rsaDecryptPassword(cipher, nonce, rsa.privateKey);
    if (password === null) throw new VigilError('auth_invalid', 'the encrypted password could not be read');
    return { password, method: method('rsa') };
  }
  if (!tls && answer.length === 256) {
    // Encrypted with a public key the client already had (the one Vigil hands out).
    const password = rsaDecryptPassword(answer, nonce, rsa.privateKey);
    if (password !== null) return { password, method: method('rsa') };
  }
  return { password: cstring(answer), method: method(tls ? 'tls' : 'cleartext') };
}

function cstring(b: Buffer): string {
  const end = b.indexOf(0);
  return b.subarray(0, end === -1 ? b.length : end).toString('utf8');
}

function upgrade(raw: Socket, secureContext: SecureContext, readAhead: Buffer): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const transport = readAhead.length > 0 ? withReadAhead(raw, readAhead) : raw;
    const secure = new TLSSocket(transport as Socket, { isServer: true, secureContext });
    secure.once('secure', () => {
      secure.off('error', reject);
      resolve(secure);
    });
    secure.once('error', reject);
  });
}

/** The socket as a stream that first yields bytes already read from it (the TLS layer reads its handle otherwise). */
function withReadAhead(raw: Socket, readAhead: Buffer): Duplex {
  const duplex = new Duplex({
    read: () => {
      raw.resume();
    },
    write: (chunk: Buffer, _encoding, done) => {
      raw.write(chunk, done);
    },
    final: (done) => {
      raw.end();
      done();
    },
    destroy: (err, done) => {
      raw.destroy();
      done(err);
    },
  });
  duplex.push(readAhead);
  raw.on('data', (chunk: Buffer) => {
    if (!duplex.push(chunk)) raw.pause();
  });
  raw.once('end', () => duplex.push(null));
  raw.once('close', () => duplex.destroy());
  raw.on('error', (err) => duplex.destroy(err));
  return duplex;
}
