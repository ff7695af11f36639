// What the ledger keeps of one result row, read from its payload bytes as they arrive: a row larger
// than a packet Vigil holds (packet-framer.ts, STREAM_ABOVE_BYTES) is passed on to the client as it
// comes and is never whole in memory, and one over 16 MiB spans several packets. Values are read
// as parseTextRow and parseBinaryRow read them from a whole payload; a value over
// RECORDED_VALUE_BYTES is hashed as it streams and recorded as `{bytes, sha256}` only (a prefix
// could end in half a secret that masking no longer recognises), and once a row's values kept
// verbatim reach RECORDED_ROW_BYTES every further value is recorded that way too, so what one row
// costs Vigil, and puts into the ledger, is bounded whatever the server sends.
import { createHash, type Hash } from 'node:crypto';
import { VigilError } from '../../core/errors.js';
import type { JsonValue } from '../../core/events.js';
import { RECORDED_VALUE_BYTES, readBinaryValue, recordedBytes } from './binary-values.js';
import { TYPE } from './constants.js';
import { PayloadReader } from './payload-reader.js';
import type { ColumnDef } from './result-messages.js';

/** Bytes of a row's values kept verbatim for the record (the bound PostgreSQL's rows have). */
export const RECORDED_ROW_BYTES = 1024 * 1024;

/** Binary-protocol types sent as a length-encoded string. */
const LENENC_TYPES: ReadonlySet<number> = new Set([
  TYPE.DECIMAL,
  TYPE.NEWDECIMAL,
  TYPE.VARCHAR,
  TYPE.BIT,
  TYPE.JSON,
  TYPE.ENUM,
  TYPE.SET,
  TYPE.TINY_BLOB,
  TYPE.MEDIUM_BLOB,
  TYPE.LONG_BLOB,
  TYPE.BLOB,
  TYPE.VAR_STRING,
  TYPE.STRING,
  TYPE.GEOMETRY,
]);

/** Binary-protocol types sent as a length byte and that many bytes. */
const DATE_TIME_TYPES: ReadonlySet<number> = new Set([
  TYPE.DATE,
  TYPE.DATETIME,
  TYPE.TIMESTAMP,
  TYPE.DATETIME2,
  TYPE.TIMESTAMP2,
  TYPE.NEWDATE,
  TYPE.TIME,
  TYPE.TIME2,
]);

const FIXED_BYTES: Readonly<Record<number, number>> = {
  [TYPE.NULL]: 0,
  [TYPE.TINY]: 1,
  [TYPE.SHORT]: 2,
  [TYPE.YEAR]: 2,
  [TYPE.LONG]: 4,
  [TYPE.INT24]: 4,
  [TYPE.FLOAT]: 4,
  [TYPE.LONGLONG]: 8,
  [TYPE.DOUBLE]: 8,
};

/** A large value being hashed as its bytes pass. */
interface Hashing {
  readonly hash: Hash;
  readonly total: number;
  left: number;
}

export class RowRecorder {
  readonly #columns: readonly ColumnDef[];
  readonly #binary: boolean;
  readonly #values: JsonValue[] = [];
  /** Received bytes not yet read into a value: at most one small value and its length. */
  #pending: Buffer = Buffer.alloc(0);
  #hashing: Hashing | null = null;
  /** The binary row's NULL bitmap, once read. */
  #nulls: Buffer | null = null;
  #kept = 0;

  constructor(columns: readonly ColumnDef[], binary: boolean) {
    this.#columns = columns;
    this.#binary = binary;
  }

  /** The row's next payload bytes, in order (across the packets of a split row). */
  push(bytes: Buffer): void {
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
      rest = Buffer.alloc(0);
      rest = this.#readValues();
    }
  }

  /** The row's values as recorded; throws `protocol_violation` if the row ended short. */
  finish(): JsonValue[] {
    if (!this.#complete) throw new VigilError('protocol_violation', 'a row ended before its last column');
    return this.#values;
  }

  get #complete(): boolean {
    return this.#hashing === null && this.#values.length === this.#columns.length && this.#started;
  }

  get #started(): boolean {
    return !this.#binary || this.#nulls !== null;
  }

  /**
   * Reads whole values from the pending bytes; returns the bytes a large value begins with (they
   * are hashed, not kept), or none once everything pending has been read or must wait for more.
   */
  #readValues(): Buffer {
    if (this.#binary && this.#nulls === null) {
      const size = 1 + ((this.#columns.length + 9) >> 3);
      if (this.#pending.length < size) return this.#wait();
      this.#nulls = Buffer.from(this.#pending.subarray(1, size));
      this.#pending = this.#pending.subarray(size);
    }
    while (this.#values.length < this.#columns.length) {
      const column = this.#columns[this.#values.length]!;
      if (this.#binary && this.#isNull(this.#values.length)) {
        this.#values.push(null);
        continue;
      }
      if (this.#binary && !LENENC_TYPES.has(column.type)) {
        const size = fixedSize(column.type, this.#pending);
        if (size === null || this.#pending.length < size) return this.#wait();
        const v = readBinaryValue(new PayloadReader(this.#pending.subarray(0, size)), column);
        this.#values.push(typeof v === 'number' ? String(v) : v);
        this.#pending = this.#pending.subarray(size);
        continue;
      }
      const header = lenencHeader(this.#pending);
      if (header === null) return this.#wait();
      if (header.length === null) {
        if (this.#binary) throw new VigilError('protocol_violation', 'a NULL marker in a binary row');
        this.#values.push(null);
        this.#pending = this.#pending.subarray(header.size);
        continue;
      }
      const end = header.size + header.length;
      if (header.length > RECORDED_VALUE_BYTES || this.#kept + header.length > RECORDED_ROW_BYTES) {
        // Hashed as it passes: the bytes already here start it, the rest comes with later pushes.
        this.#hashing = { hash: createHash('sha256'), total: header.length, left: header.length };
        const rest = this.#pending.subarray(header.size);
        this.#pending = Buffer.alloc(0);
        if (header.length === 0) this.#endHashing();
        return rest;
      }
      if (this.#pending.length < end) return this.#wait();
      this.#kept += header.length;
      this.#values.push(recordedBytes(this.#pending.subarray(header.size, end)));
      this.#pending = this.#pending.subarray(end);
    }
    // Bytes past the last column are not read, as parseTextRow does not read them.
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

  #isNull(index: number): boolean {
    const bit = index + 2;
    return (this.#nulls![bit >> 3]! & (1 << (bit & 7))) !== 0;
  }
}

/** The length-encoded header at the start of `b`: its size and the length (null: NULL), or null if short. */
function lenencHeader(b: Buffer): { size: number; length: number | null } | null {
  if (b.length < 1) return null;
  const first = b[0]!;
  if (first < 0xfb) return { size: 1, length: first };
  if (first === 0xfb) return { size: 1, length: null };
  const size = first === 0xfc ? 3 : first === 0xfd ? 4 : first === 0xfe ? 9 : 0;
  if (size === 0) throw new VigilError('protocol_violation', 'invalid length-encoded integer');
  if (b.length < size) return null;
  const length = new PayloadReader(b).lenenc();
  return { size, length };
}

/** Bytes a fixed-size or date/time binary value takes, null until its length byte is here. */
function fixedSize(type: number, b: Buffer): number | null {
  const fixed = FIXED_BYTES[type];
  if (fixed !== undefined) return fixed;
  if (DATE_TIME_TYPES.has(type)) return b.length < 1 ? null : 1 + b[0]!;
  throw new VigilError('protocol_violation', `unknown column type ${type}`);
}
