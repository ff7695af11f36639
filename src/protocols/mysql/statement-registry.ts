// The prepared statements of one session, as the SERVER confirmed them: a statement exists once
// the server answered its COM_STMT_PREPARE with an OK, with the text it was prepared from, and is
// gone once the client closes it (the server never answers or fails a close) or the connection is
// reset. Parameter types are those last sent to the server; long data is what the client sent for
// the next execution.
import { createHash, type Hash } from 'node:crypto';
import type { JsonValue } from '../../core/events.js';
import { type ParamType, RECORDED_VALUE_BYTES, recordedBytes } from './binary-values.js';
import type { Classification } from './sql-classifier.js';

export interface PreparedStatement {
  readonly id: number;
  readonly text: string;
  readonly classification: Classification;
  readonly params: number;
  /** The types the server holds from the last execution that bound them; null before one. */
  types: ParamType[] | null;
  readonly longData: Map<number, LongData>;
}

export interface LongData {
  bytes: number;
  readonly hash: Hash;
  /** Kept only while small enough to record as a value. */
  kept: Buffer[] | null;
}

/** MariaDB: an EXECUTE of statement id 0xFFFFFFFF runs the statement prepared last. */
export const LAST_PREPARED = 0xffff_ffff;

export class StatementRegistry {
  readonly #statements = new Map<number, PreparedStatement>();
  /** The id of the last PREPARE the server answered; null when that PREPARE failed. */
  #last: number | null = null;

  confirmPrepared(id: number, text: string, classification: Classification, params: number): void {
    this.#statements.set(id, { id, text, classification, params, types: null, longData: new Map() });
    this.#last = id;
  }

  prepareFailed(): void {
    this.#last = null;
  }

  get(id: number): PreparedStatement | undefined {
    return this.#statements.get(this.#resolve(id));
  }

  /** A close of the "last prepared" id closes that statement on the server, as an EXECUTE of it runs it. */
  close(id: number): void {
    const closed = this.#resolve(id);
    this.#statements.delete(closed);
    if (closed === this.#last) this.#last = null;
  }

  #resolve(id: number): number {
    return id === LAST_PREPARED && this.#last !== null ? this.#last : id;
  }

  clear(): void {
    this.#statements.clear();
    this.#last = null;
  }

  addLongData(statement: PreparedStatement, param: number, data: Buffer): void {
    let entry = statement.longData.get(param);
    if (!entry) {
      entry = { bytes: 0, hash: createHash('sha256'), kept: [] };
      statement.longData.set(param, entry);
    }
    entry.bytes += data.length;
    entry.hash.update(data);
    if (entry.kept && entry.bytes <= RECORDED_VALUE_BYTES) entry.kept.push(Buffer.from(data));
    else entry.kept = null;
  }
}

/** Long data as recorded: the value when small, else its size and SHA-256. */
export function recordedLongData(longData: ReadonlyMap<number, LongData>): Map<number, JsonValue> {
  const out = new Map<number, JsonValue>();
  for (const [param, entry] of longData) {
    out.set(
      param,
      entry.kept
        ? recordedBytes(Buffer.concat(entry.kept))
        : { bytes: entry.bytes, sha256: entry.hash.copy().digest('hex') },
    );
  }
  return out;
}
