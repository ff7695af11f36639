// Reads the fields of one MySQL packet payload: fixed-size little-endian integers, length-encoded
// integers and strings, NUL-terminated strings. Every read is bounds-checked and throws
// `protocol_violation` on a short or malformed payload, so a parser built on it never reads past
// what the client sent.
import { VigilError } from '../../core/errors.js';

export class PayloadReader {
  readonly #buf: Buffer;
  #pos: number;

  constructor(buf: Buffer, pos = 0) {
    this.#buf = buf;
    this.#pos = pos;
  }

  get position(): number {
    return this.#pos;
  }

  get remaining(): number {
    return this.#buf.length - this.#pos;
  }

  #need(n: number, what: string): void {
    if (n < 0 || this.#pos + n > this.#buf.length) {
      throw new VigilError('protocol_violation', `packet too short for ${what}`);
    }
  }

  u8(): number {
    this.#need(1, 'a 1-byte integer');
    return this.#buf[this.#pos++]!;
  }

  u16(): number {
    this.#need(2, 'a 2-byte integer');
    const v = this.#buf.readUInt16LE(this.#pos);
    this.#pos += 2;
    return v;
  }

  u24(): number {
    this.#need(3, 'a 3-byte integer');
    const v = this.#buf.readUIntLE(this.#pos, 3);
    this.#pos += 3;
    return v;
  }

  u32(): number {
    this.#need(4, 'a 4-byte integer');
    const v = this.#buf.readUInt32LE(this.#pos);
    this.#pos += 4;
    return v;
  }

  u64(): bigint {
    this.#need(8, 'an 8-byte integer');
    const v = this.#buf.readBigUInt64LE(this.#pos);
    this.#pos += 8;
    return v;
  }

  /** A length-encoded integer; null for the 0xFB marker (a NULL column value). */
  lenencOrNull(): number | null {
    const first = this.u8();
    if (first < 0xfb) return first;
    if (first === 0xfb) return null;
    if (first === 0xfc) return this.u16();
    if (first === 0xfd) return this.u24();
    if (first === 0xfe) {
      const big = this.u64();
      if (big > BigInt(Number.MAX_SAFE_INTEGER))
        throw new VigilError('protocol_violation', 'length-encoded integer too large');
      return Number(big);
    }
    throw new VigilError('protocol_violation', 'invalid length-encoded integer');
  }

  lenenc(): number {
    const v = this.lenencOrNull();
    if (v === null) throw new VigilError('protocol_violation', 'unexpected NULL marker');
    return v;
  }

  bytes(n: number): Buffer {
    this.#need(n, `${n} bytes`);
    const v = this.#buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return v;
  }

  lenencBytes(): Buffer {
    return this.bytes(this.lenenc());
  }

  /** A NUL-terminated string; at the end of the payload without a NUL, the rest (as clients send it). */
  nulBytes(): Buffer {
    const end = this.#buf.indexOf(0, this.#pos);
    const stop = end === -1 ? this.#buf.length : end;
    const v = this.#buf.subarray(this.#pos, stop);
    this.#pos = end === -1 ? stop : stop + 1;
    return v;
  }

  nulString(): string {
    return this.nulBytes().toString('utf8');
  }

  rest(): Buffer {
    const v = this.#buf.subarray(this.#pos);
    this.#pos = this.#buf.length;
    return v;
  }

  skip(n: number): void {
    this.#need(n, `${n} bytes`);
    this.#pos += n;
  }
}
