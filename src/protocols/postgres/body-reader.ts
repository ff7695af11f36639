// Bounds-checked reads over one message body: a malformed message becomes a protocol_violation,
// never an out-of-range read or a RangeError from Buffer.
import { VigilError } from '../../core/errors.js';

export class BodyReader {
  readonly #buf: Buffer;
  #offset = 0;

  constructor(buf: Buffer) {
    this.#buf = buf;
  }

  get remaining(): number {
    return this.#buf.length - this.#offset;
  }

  #need(n: number): void {
    if (n < 0 || this.#offset + n > this.#buf.length) {
      throw new VigilError('protocol_violation', 'message ends before its declared content');
    }
  }

  byte(): number {
    this.#need(1);
    return this.#buf[this.#offset++]!;
  }

  int16(): number {
    this.#need(2);
    const v = this.#buf.readInt16BE(this.#offset);
    this.#offset += 2;
    return v;
  }

  int32(): number {
    this.#need(4);
    const v = this.#buf.readInt32BE(this.#offset);
    this.#offset += 4;
    return v;
  }

  bytes(n: number): Buffer {
    this.#need(n);
    const v = this.#buf.subarray(this.#offset, this.#offset + n);
    this.#offset += n;
    return v;
  }

  /** The bytes of a NUL-terminated string, without the NUL. */
  cstringBytes(): Buffer {
    const end = this.#buf.indexOf(0, this.#offset);
    if (end < 0) throw new VigilError('protocol_violation', 'string is not NUL-terminated');
    const v = this.#buf.subarray(this.#offset, end);
    this.#offset = end + 1;
    return v;
  }

  /** A NUL-terminated UTF-8 string. */
  cstring(): string {
    const end = this.#buf.indexOf(0, this.#offset);
    if (end < 0) throw new VigilError('protocol_violation', 'string is not NUL-terminated');
    const v = this.#buf.toString('utf8', this.#offset, end);
    this.#offset = end + 1;
    return v;
  }

  /** A count that must be non-negative and could fit in what is left (each item at least `minItemBytes`). */
  count16(minItemBytes: number): number {
    const n = this.int16();
    if (n < 0 || n * minItemBytes > this.remaining) {
      throw new VigilError('protocol_violation', `invalid item count ${n}`);
    }
    return n;
  }
}
