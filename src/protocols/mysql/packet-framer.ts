// Splits a MySQL byte stream into packets: `length(3, little-endian) | sequence id(1) | payload`.
// A payload of 0xFFFFFF bytes continues in the next packet (how a message over 16 MiB travels).
// - ClientPacketFramer joins the parts into one logical packet (a command must be whole before
//   it is judged), bounded: a logical packet over the limit is refused as soon as its length is
//   known, before its bytes are kept.
// - PhysicalPacketFramer (the upstream's side) returns each physical packet as it completes, and
//   says which ones continue. A packet over STREAM_ABOVE_BYTES is not held whole: its head (enough
//   to tell a row from an OK, EOF or ERR and to read those) comes first, then the rest of its
//   payload as it arrives, so `SELECT REPEAT('x', 16000000)` costs Vigil a bounded amount per
//   connection instead of the whole packet, and the client's reading paces the server.
import { VigilError } from '../../core/errors.js';
import { MAX_PACKET_PAYLOAD } from './constants.js';

/**
 * A physical packet larger than this is passed on as its bytes arrive (the bound PostgreSQL's
 * front door has for its messages); one this size or smaller is held whole.
 */
export const STREAM_ABOVE_BYTES = 1024 * 1024;
/** Of a streamed packet, the first bytes of the payload held before any of it is passed on. */
export const STREAMED_HEAD_BYTES = 64 * 1024;

export interface PhysicalPacket {
  readonly kind: 'packet';
  readonly seq: number;
  /** The payload length its header declares. */
  readonly length: number;
  /** The payload; of a streamed packet only its first bytes (the rest follows as PacketBody). */
  readonly payload: Buffer;
  /** The packet as received, header included (of a streamed packet: header and head). */
  readonly raw: Buffer;
  /** The payload is longer than `payload`: the rest follows in PacketBody pieces. */
  readonly streamed: boolean;
  /** This packet continues the previous one's payload. */
  readonly continuation: boolean;
  /** The payload continues in the next packet. */
  readonly continues: boolean;
}

/** More of a streamed packet's payload, as received; `end` on its last bytes. */
export interface PacketBody {
  readonly kind: 'body';
  readonly bytes: Buffer;
  readonly end: boolean;
}

export type UpstreamPiece = PhysicalPacket | PacketBody;

export interface LogicalPacket {
  /** Sequence id of the first part. */
  readonly seq: number;
  /** Sequence id of the last part: an answer to this packet carries the next one. */
  readonly lastSeq: number;
  readonly payload: Buffer;
  /** Every part as received, headers included, for forwarding unchanged. */
  readonly raw: Buffer;
}

/** Received chunks, joined only when a packet needs bytes across them, so large packets cost O(n). */
class ByteQueue {
  #parts: Buffer[] = [];
  size = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#parts.push(chunk);
    this.size += chunk.length;
  }

  /** The 3-byte length and the sequence id at `offset`, or null when not yet received. */
  header(offset: number): { length: number; seq: number } | null {
    if (this.size < offset + 4) return null;
    const b = this.peek(offset + 4);
    return { length: b.readUIntLE(offset, 3), seq: b[offset + 3]! };
  }

  /** The first `n` bytes, contiguous (joining chunks when needed), still queued. */
  peek(n: number): Buffer {
    if (this.#parts[0]!.length < n) this.#parts = [Buffer.concat(this.#parts, this.size)];
    return this.#parts[0]!;
  }

  /** Everything still queued, removed. */
  drain(): Buffer {
    const out = Buffer.concat(this.#parts, this.size);
    this.#parts = [];
    this.size = 0;
    return out;
  }

  /** Up to `n` bytes from the front without joining chunks (null when nothing is queued). */
  takeUpTo(n: number): Buffer | null {
    if (this.size === 0 || n === 0) return null;
    return this.take(Math.min(n, this.#parts[0]!.length));
  }

  take(n: number): Buffer {
    const first = this.peek(n);
    const out = first.subarray(0, n);
    if (first.length === n) this.#parts.shift();
    else this.#parts[0] = first.subarray(n);
    this.size -= n;
    return out;
  }
}

export class PhysicalPacketFramer {
  readonly #queue = new ByteQueue();
  readonly #streamAbove: number;
  readonly #headBytes: number;
  #continuing = false;
  /** Payload bytes of a streamed packet still to come. */
  #bodyLeft = 0;

  /** The bounds are parameters so tests can split streamed packets at every byte. */
  constructor(streamAboveBytes = STREAM_ABOVE_BYTES, headBytes = STREAMED_HEAD_BYTES) {
    this.#streamAbove = streamAboveBytes;
    this.#headBytes = Math.min(headBytes, streamAboveBytes);
  }

  /** Bytes received and not yet returned, and those of a streamed packet still to come. */
  get buffered(): number {
    return this.#queue.size + this.#bodyLeft;
  }

  push(chunk: Buffer): void {
    this.#queue.push(chunk);
  }

  next(): UpstreamPiece | null {
    if (this.#bodyLeft > 0) {
      const bytes = this.#queue.takeUpTo(this.#bodyLeft);
      if (!bytes) return null;
      this.#bodyLeft -= bytes.length;
      return { kind: 'body', bytes, end: this.#bodyLeft === 0 };
    }
    const h = this.#queue.header(0);
    if (!h) return null;
    const streamed = h.length > this.#streamAbove;
    const held = streamed ? this.#headBytes : h.length;
    if (this.#queue.size < 4 + held) return null;
    const raw = this.#queue.take(4 + held);
    const continuation = this.#continuing;
    const continues = h.length === MAX_PACKET_PAYLOAD;
    this.#continuing = continues;
    this.#bodyLeft = h.length - held;
    return {
      kind: 'packet',
      seq: h.seq,
      length: h.length,
      payload: raw.subarray(4),
      raw,
      streamed,
      continuation,
      continues,
    };
  }
}

export class ClientPacketFramer {
  /** The largest logical payload accepted; may change after the handshake. */
  maxBytes: number;
  readonly #queue = new ByteQueue();

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  get buffered(): number {
    return this.#queue.size;
  }

  push(chunk: Buffer): void {
    this.#queue.push(chunk);
  }

  /** Bytes received and not framed, removed (to hand them to another reader). */
  drain(): Buffer {
    return this.#queue.drain();
  }

  /** The next whole logical packet, or null. Throws `message_too_large` or `protocol_violation`. */
  next(): LogicalPacket | null {
    // Walk the headers of the parts received so far; the packet is whole once a part is short.
    let offset = 0;
    let payloadLength = 0;
    let parts = 0;
    let seq = 0;
    let lastSeq = 0;
    for (;;) {
      const h = this.#queue.header(offset);
      if (!h) return null;
      if (parts === 0) seq = h.seq;
      else if (h.seq !== ((lastSeq + 1) & 0xff)) {
        throw new VigilError('protocol_violation', 'packet sequence out of order in a split packet');
      }
      lastSeq = h.seq;
      parts++;
      payloadLength += h.length;
      if (payloadLength > this.maxBytes) {
        throw new VigilError(
          'message_too_large',
          `packet of ${payloadLength} bytes or more exceeds the limit of ${this.maxBytes}`,
          { details: { limit: this.maxBytes } },
        );
      }
      if (this.#queue.size < offset + 4 + h.length) return null;
      offset += 4 + h.length;
      if (h.length < MAX_PACKET_PAYLOAD) break;
    }
    const raw = this.#queue.take(offset);
    const payload = parts === 1 ? raw.subarray(4) : joinPayload(raw, parts);
    return { seq, lastSeq, payload, raw };
  }
}

function joinPayload(raw: Buffer, parts: number): Buffer {
  const pieces: Buffer[] = [];
  let offset = 0;
  for (let i = 0; i < parts; i++) {
    const length = raw.readUIntLE(offset, 3);
    pieces.push(raw.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return Buffer.concat(pieces);
}
