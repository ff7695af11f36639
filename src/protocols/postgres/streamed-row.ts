// What the ledger keeps of a DataRow too large to hold (upstream-follower.ts, STREAM_ABOVE_BYTES),
// read from its body as the bytes pass on to the client: `Int16 count`, then per column `Int32
// length` (-1: NULL) and that many bytes. The row is never whole in memory. A value is recorded as
// recordedValue records it in a held row; one over RECORDED_VALUE_BYTES is hashed as it streams
// and recorded as `{bytes, sha256}` (the shape recordedValue gives it), and once a row's values
// kept verbatim would pass RECORDED_ROW_BYTES every further value is recorded that way too, so what
// one row costs Vigil, and puts into the ledger, is bounded whatever the server sends. A held row
// is smaller than that bound, so a streamed row records exactly what a held one would for the same
// values. A count or a length that cannot fit the message is a protocol_violation as soon as it is
// read, as parseDataRow makes it for a held row; bytes after the last column are not read, as
// parseDataRow does not read them.
import { createHash, type Hash } from 'node:crypto';
import { VigilError } from '../../core/errors.js';
import type { JsonValue } from '../../core/events.js';
import { RECORDED_VALUE_BYTES, recordedValue } from './recorded-value.js';

/** Bytes of a row's values kept verbatim for the record (the size of the largest row held whole). */
export const RECORDED_ROW_BYTES = 1024 * 1024;

/** A large value being hashed as its bytes pass. */
interface Hashing {
  readonly hash: Hash;
  readonly total: number;
  left: number;
}

export class StreamedDataRow {
  /** Whether column `i` is in binary format (as the tracker decides it for a held row). */
  readonly #binary: (column: number) => boolean;
  /** Body bytes not yet received. */
  #unreceived: number;
  /** Received bytes not yet read: at most a length word or one value kept verbatim. */
  #pending: Buffer = Buffer.alloc(0);
  #count = -1;
  readonly #values: JsonValue[] = [];
  #hashing: Hashing | null = null;
  /** A value kept verbatim whose bytes are still arriving: its length. */
  #keeping = -1;
  #kept = 0;

  constructor(bodyBytes: number, binary: (column: number) => boolean) {
    this.#unreceived = bodyBytes;
    this.#binary = binary;
  }

  /** The row's next body bytes, in order; throws `protocol_violation` once the row cannot add up. */
  push(bytes: Buffer): void {
    if (bytes.length > this.#unreceived)
      throw new VigilError('protocol_violation', 'more row bytes than the message holds');
    this.#unreceived -= bytes.length;
    let rest = bytes;
    while (rest.length > 0 && !this.#complete) {
      if (this.#hashing) {
        const part = rest.subarray(0, this.#hashing.left);
        this.#hashing.hash.update(part);
        this.#hashing.left -= part.length;
        rest = rest.subarray(part.length);
        if (this.#hashing.left === 0) this.#endHashing();
        continue;
      }
      this.#pending = this.#pending.length === 0 ? rest : Buffer.concat([this.#pending, rest]);
      rest = this.#read();
    }
  }

  /** The row's values as recorded, once all its body bytes have been pushed. */
  finish(): JsonValue[] {
    if (this.#unreceived > 0 || !this.#complete)
      throw new VigilError('protocol_violation', 'message ends before its declared content');
    return this.#values;
  }

  get #complete(): boolean {
    return this.#count >= 0 && this.#hashing === null && this.#values.length === this.#count;
  }

  /** Body bytes from the start of what is pending to the end of the message. */
  get #ahead(): number {
    return this.#pending.length + this.#unreceived;
  }

  /**
   * Reads what the pending bytes hold; returns the bytes a large value begins with (they are
   * hashed, not kept), or none once everything pending has been read or must wait for more.
   */
  #read(): Buffer {
    if (this.#count < 0) {
      if (this.#ahead < 2) throw short();
      if (this.#pending.length < 2) return this.#wait();
      const n = this.#pending.readInt16BE(0);
      this.#pending = this.#pending.subarray(2);
      // As BodyReader.count16 checks it: every column has at least its length word.
      if (n < 0 || n * 4 > this.#ahead) throw new VigilError('protocol_violation', `invalid item count ${n}`);
      this.#count = n;
    }
    while (this.#values.length < this.#count) {
      if (this.#keeping < 0) {
        if (this.#ahead < 4) throw short();
        if (this.#pending.length < 4) return this.#wait();
        const length = this.#pending.readInt32BE(0);
        this.#pending = this.#pending.subarray(4);
        if (length === -1) {
          this.#values.push(null);
          continue;
        }
        if (length < 0 || length > this.#ahead) throw short();
        if (length > RECORDED_VALUE_BYTES || this.#kept + length > RECORDED_ROW_BYTES) {
          this.#hashing = { hash: createHash('sha256'), total: length, left: length };
          const rest = this.#pending;
          this.#pending = Buffer.alloc(0);
          return rest;
        }
        this.#keeping = length;
      }
      if (this.#pending.length < this.#keeping) return this.#wait();
      const column = this.#values.length;
      this.#values.push(recordedValue(this.#pending.subarray(0, this.#keeping), this.#binary(column)));
      this.#kept += this.#keeping;
      this.#pending = this.#pending.subarray(this.#keeping);
      this.#keeping = -1;
    }
    this.#pending = Buffer.alloc(0);
    return Buffer.alloc(0);
  }

  /** Keeps what is pending (a copy, so a large chunk it was cut from is not kept alive) until more comes. */
  #wait(): Buffer {
    this.#pending = Buffer.from(this.#pending);
    return Buffer.alloc(0);
  }

  #endHashing(): void {
    const h = this.#hashing!;
    this.#values.push({ bytes: h.total, sha256: h.hash.digest('hex') });
    this.#hashing = null;
  }
}

function short(): VigilError {
  return new VigilError('protocol_violation', 'message ends before its declared content');
}
