// The packets of the connection phase, both ways: the server greeting (HandshakeV10), the client's
// SSLRequest and HandshakeResponse41, AuthSwitchRequest and AuthMoreData. Vigil writes greetings
// to clients and reads the upstream's; it reads clients' responses and writes its own upstream.
import { VigilError } from '../../core/errors.js';
import { CAP } from './constants.js';
import { lenencBytes, nulString, u16, u32 } from './packet-writer.js';
import { PayloadReader } from './payload-reader.js';

export interface ServerGreeting {
  readonly protocolVersion: number;
  readonly serverVersion: string;
  readonly connectionId: number;
  /** The 20-byte nonce both auth plugins hash the password with. */
  readonly scramble: Buffer;
  readonly capabilities: number;
  /** MariaDB's extended capabilities (in the reserved bytes, when LONG_PASSWORD is clear). */
  readonly mariadbCapabilities: number;
  readonly charset: number;
  readonly status: number;
  readonly authPlugin: string;
}

export function parseGreeting(payload: Buffer): ServerGreeting {
  const r = new PayloadReader(payload);
  const protocolVersion = r.u8();
  if (protocolVersion === 0xff) throw upstreamErr(payload);
  if (protocolVersion !== 10)
    throw new VigilError('upstream_failed', `unsupported handshake protocol ${protocolVersion}`);
  const serverVersion = r.nulString();
  const connectionId = r.u32();
  const part1 = r.bytes(8);
  r.skip(1);
  let capabilities = r.u16();
  const charset = r.u8();
  const status = r.u16();
  capabilities |= r.u16() << 16;
  const authDataLength = r.u8();
  r.skip(6);
  const extended = r.u32();
  const mariadbCapabilities = capabilities & CAP.LONG_PASSWORD ? 0 : extended;
  const part2Length = Math.max(13, authDataLength - 8);
  const part2 = r.bytes(Math.min(part2Length, r.remaining));
  // The second part ends with a NUL that is not part of the nonce.
  const scramble = Buffer.concat([part1, part2.subarray(0, Math.max(0, part2.length - 1))]).subarray(0, 20);
  const authPlugin =
    capabilities & CAP.PLUGIN_AUTH && r.remaining > 0 ? r.nulString() : 'mysql_native_password';
  return {
    protocolVersion,
    serverVersion,
    connectionId,
    scramble,
    capabilities: capabilities >>> 0,
    mariadbCapabilities,
    charset,
    status,
    authPlugin,
  };
}

export function greetingPayload(g: Omit<ServerGreeting, 'protocolVersion'>): Buffer {
  const caps = g.capabilities >>> 0;
  return Buffer.concat([
    Buffer.from([10]),
    nulString(g.serverVersion),
    u32(g.connectionId),
    g.scramble.subarray(0, 8),
    Buffer.from([0]),
    u16(caps & 0xffff),
    Buffer.from([g.charset]),
    u16(g.status),
    u16(caps >>> 16),
    Buffer.from([21]),
    Buffer.alloc(6),
    u32(g.mariadbCapabilities),
    g.scramble.subarray(8, 20),
    Buffer.from([0]),
    nulString(g.authPlugin),
  ]);
}

export interface HandshakeResponse {
  readonly capabilities: number;
  readonly maxPacket: number;
  readonly charset: number;
  /** MariaDB's extended capabilities the client asks for (the last 4 reserved bytes). */
  readonly mariadbCapabilities: number;
  /** True for an SSLRequest: the rest comes over TLS. */
  readonly sslRequest: boolean;
  readonly user: string;
  readonly authResponse: Buffer;
  readonly database: string | null;
  readonly authPlugin: string | null;
}

/** An SSLRequest (32 bytes) or a HandshakeResponse41. Older (3.20) responses are refused. */
export function parseHandshakeResponse(payload: Buffer): HandshakeResponse {
  const r = new PayloadReader(payload);
  const capabilities = r.u32();
  if (!(capabilities & CAP.PROTOCOL_41))
    throw new VigilError('protocol_violation', 'the client does not speak protocol 4.1');
  const maxPacket = r.u32();
  const charset = r.u8();
  r.skip(19);
  const extended = r.u32();
  const mariadbCapabilities = capabilities & CAP.LONG_PASSWORD ? 0 : extended;
  if (r.remaining === 0) {
    if (!(capabilities & CAP.SSL))
      throw new VigilError('protocol_violation', 'handshake response without a user');
    return {
      capabilities,
      maxPacket,
      charset,
      mariadbCapabilities,
      sslRequest: true,
      user: '',
      authResponse: Buffer.alloc(0),
      database: null,
      authPlugin: null,
    };
  }
  const user = r.nulString();
  let authResponse: Buffer;
  if (capabilities & CAP.PLUGIN_AUTH_LENENC_DATA) authResponse = r.lenencBytes();
  else if (capabilities & CAP.SECURE_CONNECTION) authResponse = r.bytes(r.u8());
  else authResponse = r.nulBytes();
  const database = capabilities & CAP.CONNECT_WITH_DB && r.remaining > 0 ? r.nulString() : null;
  const authPlugin = capabilities & CAP.PLUGIN_AUTH && r.remaining > 0 ? r.nulString() : null;
  // Connection attributes (CONNECT_ATTRS) may follow; Vigil does not forward them.
  return {
    capabilities,
    maxPacket,
    charset,
    mariadbCapabilities,
    sslRequest: false,
    user,
    authResponse,
    database,
    authPlugin,
  };
}

export function sslRequestPayload(capabilities: number, charset: number): Buffer {
  return Buffer.concat([
    u32(capabilities | CAP.SSL),
    u32(0x100_0000),
    Buffer.from([charset]),
    Buffer.alloc(23),
  ]);
}

export function handshakeResponsePayload(o: {
  capabilities: number;
  charset: number;
  user: string;
  authResponse: Buffer;
  database: string | null;
  authPlugin: string;
  mariadbCapabilities?: number;
}): Buffer {
  const caps =
    (o.capabilities |
      CAP.PLUGIN_AUTH_LENENC_DATA |
      CAP.PLUGIN_AUTH |
      CAP.SECURE_CONNECTION |
      CAP.PROTOCOL_41) &
    ~(o.database ? 0 : CAP.CONNECT_WITH_DB);
  return Buffer.concat([
    u32(caps),
    u32(0x100_0000),
    Buffer.from([o.charset]),
    Buffer.alloc(19),
    u32(o.mariadbCapabilities ?? 0),
    nulString(o.user),
    lenencBytes(o.authResponse),
    ...(o.database ? [nulString(o.database)] : []),
    nulString(o.authPlugin),
  ]);
}

export function authSwitchPayload(plugin: string, scramble: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0xfe]), nulString(plugin), scramble, Buffer.from([0])]);
}

export function authMoreDataPayload(data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x01]), data]);
}

/** An AuthSwitchRequest from the upstream: the plugin to use and its nonce. */
export function parseAuthSwitch(payload: Buffer): { plugin: string; scramble: Buffer } {
  const r = new PayloadReader(payload, 1);
  const plugin = r.nulString();
  const data = r.rest();
  return { plugin, scramble: data.at(-1) === 0 ? data.subarray(0, data.length - 1) : data };
}

export interface ErrPacket {
  readonly errno: number;
  readonly sqlstate: string | null;
  readonly message: string;
}

export function parseErr(payload: Buffer): ErrPacket {
  const r = new PayloadReader(payload, 1);
  const errno = r.u16();
  let sqlstate: string | null = null;
  if (r.remaining >= 6 && payload[3] === 0x23) {
    r.skip(1);
    sqlstate = r.bytes(5).toString('latin1');
  }
  return { errno, sqlstate, message: r.rest().toString('utf8') };
}

function upstreamErr(payload: Buffer): VigilError {
  const e = parseErr(payload);
  return new VigilError('upstream_failed', `the upstream refused the connection (${e.errno}): ${e.message}`);
}
