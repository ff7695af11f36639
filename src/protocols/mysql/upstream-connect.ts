// Vigil's login to the upstream MySQL/MariaDB with the credential it holds: the greeting,
// optional TLS (an SSLRequest, then TLS with the CA pinned when one is configured), the
// HandshakeResponse41, and whatever the server asks for: mysql_native_password,
// caching_sha2_password (fast path, or full authentication in cleartext over TLS or RSA-encrypted
// without it), an auth switch between them, or mysql_clear_password over TLS only. The client
// never takes part. `probeUpstream` reads only the greeting: the version and capabilities clients
// are told, read once per connection.
import { connect as netConnect, type Socket } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { VigilError } from '../../core/errors.js';
import { cachingSha2Scramble, nativeScramble, rsaEncryptPassword } from './auth-crypto.js';
import { CAP, PLUGIN } from './constants.js';
import {
  handshakeResponsePayload,
  parseAuthSwitch,
  parseErr,
  parseGreeting,
  type ServerGreeting,
  sslRequestPayload,
} from './handshake-messages.js';
import { ClientPacketFramer } from './packet-framer.js';
import { PacketWaiter, withTimeout } from './packet-waiter.js';
import { packet } from './packet-writer.js';

export interface UpstreamTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string | null;
  readonly password: string;
  readonly tls: 'disable' | 'require' | 'verify-full';
  /** PEM of the CA the upstream's certificate must chain to. */
  readonly ca: string | null;
}

export interface UpstreamConnection {
  readonly socket: Socket | TLSSocket;
  readonly greeting: ServerGreeting;
  /** Bytes the server sent after its OK (normally none). */
  readonly leftover: Buffer;
}

export function parseUpstreamUrl(
  url: string,
): Omit<UpstreamTarget, 'tls' | 'ca' | 'password'> & { password: string } {
  const u = new URL(url.replace(/^mariadb:/, 'mysql:'));
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  return {
    host: u.hostname.replace(/^\[|\]$/g, '') || 'localhost',
    port: u.port ? Number(u.port) : 3306,
    user: u.username ? decodeURIComponent(u.username) : 'root',
    database: database || null,
    password: u.password ? decodeURIComponent(u.password) : '',
  };
}

const HANDSHAKE_MAX_BYTES = 1024 * 1024;
const CONNECT_TIMEOUT_MS = 10_000;

function openSocket(target: Pick<UpstreamTarget, 'host' | 'port'>): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: target.host, port: target.port, noDelay: true });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', (err) =>
      reject(
        new VigilError('upstream_unreachable', `cannot reach ${target.host}:${target.port}: ${err.message}`),
      ),
    );
  });
}

/** The upstream's greeting, without logging in (the version and capabilities clients are told). */
export async function probeUpstream(target: Pick<UpstreamTarget, 'host' | 'port'>): Promise<ServerGreeting> {
  const socket = await openSocket(target);
  const waiter = new PacketWaiter(socket, new ClientPacketFramer(HANDSHAKE_MAX_BYTES));
  try {
    const first = await withTimeout(waiter.next(), CONNECT_TIMEOUT_MS, timeout);
    return parseGreeting(first.payload);
  } finally {
    waiter.detach();
    socket.destroy();
  }
}

const timeout = () =>
  new VigilError('upstream_timeout', 'the upstream did not complete its handshake in time');

/**
 * Logs in upstream. `capabilities` are the client's (already cut to what Vigil relays); `charset`
 * is the collation the client asked for, so the server reads its bytes as the client sends them.
 */
export async function connectUpstream(
  target: UpstreamTarget,
  capabilities: number,
  charset: number,
  mariadbCapabilities = 0,
): Promise<UpstreamConnection> {
  const raw = await openSocket(target);
  let socket: Socket | TLSSocket = raw;
  let waiter = new PacketWaiter(socket, new ClientPacketFramer(HANDSHAKE_MAX_BYTES));
  try {
    return await withTimeout(
      (async () => {
        const first = await waiter.next();
        const greeting = parseGreeting(first.payload);
        let seq = (first.lastSeq + 1) & 0xff;
        let tls = false;
        const caps =
          (capabilities & greeting.capabilities) | CAP.PROTOCOL_41 | CAP.SECURE_CONNECTION | CAP.PLUGIN_AUTH;
        if (target.tls !== 'disable') {
          if (!(greeting.capabilities & CAP.SSL))
            throw new VigilError('upstream_failed', 'the upstream does not offer TLS');
          socket.write(packet(seq, sslRequestPayload(caps, charset)));
          seq = (seq + 1) & 0xff;
          waiter.detach();
          socket = await upgrade(raw, target);
          waiter = new PacketWaiter(socket, new ClientPacketFramer(HANDSHAKE_MAX_BYTES));
          tls = true;
        }
        let plugin = greeting.authPlugin;
        let nonce = greeting.scramble;
        const answer = (p: string, n: Buffer): Buffer => {
          if (p === PLUGIN.native) return nativeScramble(target.password, n);
          if (p === PLUGIN.cachingSha2) return cachingSha2Scramble(target.password, n);
          if (p === PLUGIN.clear && tls) return Buffer.from(`${target.password}\0`, 'utf8');
          throw new VigilError(
            'upstream_failed',
            `the upstream asks for the ${p} auth plugin, which Vigil does not use`,
          );
        };
        const known = plugin === PLUGIN.native || plugin === PLUGIN.cachingSha2;
        if (!known) plugin = PLUGIN.native;
        socket.write(
          packet(
            seq,
            handshakeResponsePayload({
              capabilities: caps | (tls ? CAP.SSL : 0),
              charset,
              user: target.user,
              authResponse: answer(plugin, nonce),
              database: target.database,
              authPlugin: plugin,
              mariadbCapabilities: mariadbCapabilities & greeting.mariadbCapabilities,
            }),
          ),
        );
        for (;;) {
          const p = await waiter.next();
          seq = (p.lastSeq + 1) & 0xff;
          const head = p.payload[0];
          if (head === 0x00) {
            waiter.detach();
            return { socket, greeting, leftover: waiter.framer.drain() };
          }
          if (head === 0xff) {
            const e = parseErr(p.payload);
            throw new VigilError(
              'upstream_failed',
              `the upstream refused Vigil's login (${e.errno}): ${e.message}`,
            );
          }
          if (head === 0xfe) {
            ({ plugin, scramble: nonce } = parseAuthSwitch(p.payload));
            socket.write(packet(seq, answer(plugin, nonce)));
            continue;
          }
          if (head === 0x01 && plugin === PLUGIN.cachingSha2) {
            const data = p.payload.subarray(1);
            if (data.length === 1 && data[0] === 0x03) continue; // fast auth succeeded; OK follows
            if (data.length === 1 && data[0] === 0x04) {
              // Full authentication: cleartext only inside TLS, else ask for the server's RSA key.
              socket.write(
                packet(seq, tls ? Buffer.from(`${target.password}\0`, 'utf8') : Buffer.from([0x02])),
              );
              continue;
            }
            // The server's public key (PEM), as asked for.
            socket.write(packet(seq, rsaEncryptPassword(target.password, nonce, data.toString('latin1'))));
            continue;
          }
          throw new VigilError('upstream_failed', 'unexpected packet during the upstream login');
        }
      })(),
      CONNECT_TIMEOUT_MS,
      timeout,
    );
  } catch (err) {
    waiter.detach();
    socket.destroy();
    throw err;
  }
}

function upgrade(raw: Socket, target: UpstreamTarget): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const verify = target.tls === 'verify-full';
    const secure = tlsConnect({
      socket: raw,
      servername: target.host,
      rejectUnauthorized: verify,
      ...(target.ca ? { ca: target.ca } : {}),
    });
    secure.once('secureConnect', () => {
      secure.off('error', onError);
      resolve(secure);
    });
    const onError = (err: Error) =>
      reject(new VigilError('upstream_failed', `TLS to the upstream failed: ${err.message}`));
    secure.once('error', onError);
  });
}
