// Opens an authenticated connection to the upstream PostgreSQL with the credential Vigil holds:
// optional TLS (SSLRequest, then a TLS handshake), the startup message, then whichever password
// method the server asks for (SCRAM-SHA-256, md5, cleartext) or none (trust). The client never
// takes part, so the upstream password never crosses the client's connection.
import { createHash } from 'node:crypto';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { VigilError } from '../../core/errors.js';
import { parseErrorFields, parseParameterStatus } from './backend-messages.js';
import { BodyReader } from './body-reader.js';
import { FrameReader } from './frame-reader.js';
import { FrameWaiter, withTimeout } from './frame-waiter.js';
import { ScramClient } from './scram-client.js';
import {
  AUTH,
  passwordMessage,
  saslInitialResponse,
  saslResponse,
  sslRequest,
  startupMessage,
} from './wire-writer.js';

export type UpstreamTls = 'disable' | 'require' | 'verify-full';

export interface UpstreamTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string | null;
  readonly database: string | null;
  readonly password: string | null;
  readonly tls: UpstreamTls;
}

export interface UpstreamConnection {
  readonly socket: Socket | TLSSocket;
  /** Holds any bytes that arrived after the first ReadyForQuery. */
  readonly reader: FrameReader;
  readonly parameters: readonly [string, string][];
  readonly pid: number;
  readonly secret: Buffer;
  readonly status: string;
}

/** Host, port, user and database from a postgres:// URL; a password in the URL is the fallback credential. */
export function parseUpstreamUrl(url: string): Omit<UpstreamTarget, 'tls'> {
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  return {
    host: u.hostname.replace(/^\[|\]$/g, '') || 'localhost',
    port: u.port ? Number(u.port) : 5432,
    user: u.username ? decodeURIComponent(u.username) : null,
    database: database || null,
    password: u.password ? decodeURIComponent(u.password) : null,
  };
}

const UPSTREAM_MAX_STARTUP_BYTES = 1024 * 1024;

export async function connectUpstream(
  target: UpstreamTarget,
  params: Readonly<Record<string, string>>,
  timeoutMs = 10_000,
): Promise<UpstreamConnection> {
  let socket: Socket | TLSSocket | null = null;
  const attempt = async (): Promise<UpstreamConnection> => {
    socket = await openSocket(target);
    const waiter = new FrameWaiter(socket, new FrameReader(UPSTREAM_MAX_STARTUP_BYTES));
    try {
      socket.write(startupMessage(params));
      return await authenticate(socket, waiter, target);
    } finally {
      waiter.detach();
    }
  };
  try {
    return await withTimeout(
      attempt(),
      timeoutMs,
      () =>
        new VigilError('upstream_timeout', `the upstream did not complete startup within ${timeoutMs} ms`),
    );
  } catch (err) {
    (socket as Socket | TLSSocket | null)?.destroy();
    if (err instanceof VigilError) throw err;
    throw new VigilError('upstream_unreachable', `cannot reach the upstream: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

async function openSocket(target: UpstreamTarget): Promise<Socket | TLSSocket> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = netConnect({ host: target.host, port: target.port });
    s.once('connect', () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
  socket.setNoDelay(true);
  if (target.tls === 'disable') return socket;
  const waiter = new FrameWaiter(socket, new FrameReader(16));
  socket.write(sslRequest());
  const answer = await waiter.nextByte().finally(() => waiter.detach());
  if (answer !== 'S'.charCodeAt(0)) {
    socket.destroy();
    throw new VigilError(
      'upstream_unreachable',
      'the upstream does not accept TLS, and upstream_tls requires it',
    );
  }
  return new Promise<TLSSocket>((resolve, reject) => {
    const secure = tlsConnect({
      socket,
      servername: isIP(target.host) ? undefined : target.host,
      rejectUnauthorized: target.tls === 'verify-full',
    });
    secure.once('secureConnect', () => {
      secure.off('error', reject);
      resolve(secure);
    });
    secure.once('error', reject);
  });
}

async function authenticate(
  socket: Socket | TLSSocket,
  waiter: FrameWaiter,
  target: UpstreamTarget,
): Promise<UpstreamConnection> {
  const parameters: [string, string][] = [];
  let pid = 0;
  let secret = Buffer.alloc(4);
  let scram: ScramClient | null = null;
  const password = (): string => {
    if (target.password === null || target.password === '') {
      throw new VigilError(
        'upstream_failed',
        'the upstream asks for a password and the connection has no credential',
      );
    }
    return target.password;
  };
  for (;;) {
    const frame = await waiter.next();
    switch (frame.code) {
      case 'R': {
        const r = new BodyReader(frame.body);
        const kind = r.int32();
        if (kind === AUTH.ok) break;
        if (kind === AUTH.cleartext) socket.write(passwordMessage(password()));
        else if (kind === AUTH.md5)
          socket.write(passwordMessage(md5Password(target.user ?? '', password(), r.bytes(4))));
        else if (kind === AUTH.sasl) {
          const mechanisms = frame.body.subarray(4).toString('utf8').split('\u0000');
          if (!mechanisms.includes('SCRAM-SHA-256')) {
            throw new VigilError(
              'upstream_failed',
              `no supported SASL mechanism among ${mechanisms.join(' ')}`,
            );
          }
          scram = new ScramClient(password());
          socket.write(saslInitialResponse('SCRAM-SHA-256', scram.firstMessage()));
        } else if (kind === AUTH.saslContinue && scram) {
          socket.write(saslResponse(scram.finalMessage(frame.body.subarray(4).toString('utf8'))));
        } else if (kind === AUTH.saslFinal && scram) {
          scram.verifyFinal(frame.body.subarray(4).toString('utf8'));
        } else {
          throw new VigilError('upstream_failed', `unsupported upstream authentication method ${kind}`);
        }
        break;
      }
      case 'S':
        parameters.push(parseParameterStatus(frame.body));
        break;
      case 'K': {
        const r = new BodyReader(frame.body);
        pid = r.int32();
        secret = Buffer.from(r.bytes(r.remaining));
        break;
      }
      case 'E': {
        const e = parseErrorFields(frame.body);
        throw new VigilError('upstream_failed', `the upstream refused the connection: ${e.message}`, {
          details: { sqlstate: e.code },
        });
      }
      case 'Z':
        return {
          socket,
          reader: waiter.reader,
          parameters,
          pid,
          secret,
          status: frame.body.toString('latin1', 0, 1),
        };
      case 'N':
      case 'v': // NegotiateProtocolVersion: we ask for 3.0, so nothing to adjust
        break;
      default:
        throw new VigilError('upstream_failed', `unexpected upstream message ${frame.code} during startup`);
    }
  }
}

function md5Password(user: string, password: string, salt: Buffer): string {
  const inner = createHash('md5')
    .update(password + user)
    .digest('hex');
  return `md5${createHash('md5').update(inner).update(salt).digest('hex')}`;
}
