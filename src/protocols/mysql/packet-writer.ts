// Builds MySQL packets: the 4-byte header (3-byte length, sequence id), split into 16 MiB parts
// when the payload is that long, and the generic OK, ERR and EOF packets Vigil answers with.
import { MAX_PACKET_PAYLOAD } from './constants.js';

/** One logical packet as bytes on the wire, split as the protocol requires, sequence ids from `seq`. */
export function packet(seq: number, payload: Buffer): Buffer {
  if (payload.length < MAX_PACKET_PAYLOAD) return withHeader(seq, payload);
  const parts: Buffer[] = [];
  let offset = 0;
  let s = seq;
  // A payload of an exact multiple of 16 MiB - 1 ends with an empty part.
  for (;;) {
    const size = Math.min(MAX_PACKET_PAYLOAD, payload.length - offset);
    parts.push(withHeader(s, payload.subarray(offset, offset + size)));
    offset += size;
    s = (s + 1) & 0xff;
    if (size < MAX_PACKET_PAYLOAD) break;
  }
  return Buffer.concat(parts);
}

function withHeader(seq: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(4 + payload.length);
  out.writeUIntLE(payload.length, 0, 3);
  out[3] = seq & 0xff;
  payload.copy(out, 4);
  return out;
}

/** How many sequence ids a payload of this length uses. */
export function packetCount(payloadLength: number): number {
  return Math.floor(payloadLength / MAX_PACKET_PAYLOAD) + 1;
}

export function lenencInt(n: number): Buffer {
  if (n < 0xfb) return Buffer.from([n]);
  if (n < 0x1_0000) {
    const b = Buffer.alloc(3);
    b[0] = 0xfc;
    b.writeUInt16LE(n, 1);
    return b;
  }
  if (n < 0x100_0000) {
    const b = Buffer.alloc(4);
    b[0] = 0xfd;
    b.writeUIntLE(n, 1, 3);
    return b;
  }
  const b = Buffer.alloc(9);
  b[0] = 0xfe;
  b.writeBigUInt64LE(BigInt(n), 1);
  return b;
}

export function lenencBytes(value: Buffer | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([lenencInt(bytes.length), bytes]);
}

export function nulString(value: Buffer | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([bytes, Buffer.from([0])]);
}

export function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}

export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

export interface ErrFields {
  readonly errno: number;
  readonly sqlstate: string;
  readonly message: string;
}

/** An ERR packet payload (protocol 4.1: with the SQLSTATE marker). */
export function errPayload(e: ErrFields): Buffer {
  const state = Buffer.from(`#${e.sqlstate.padEnd(5, '0').slice(0, 5)}`, 'latin1');
  return Buffer.concat([Buffer.from([0xff]), u16(e.errno), state, Buffer.from(e.message, 'utf8')]);
}

export function okPayload(status: number, warnings = 0, affected = 0, info = ''): Buffer {
  return Buffer.concat([
    Buffer.from([0x00]),
    lenencInt(affected),
    lenencInt(0),
    u16(status),
    u16(warnings),
    Buffer.from(info, 'utf8'),
  ]);
}
