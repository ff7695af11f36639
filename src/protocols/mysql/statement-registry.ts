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
  /**
   * The session's database when the server prepared it: an execution runs there, whatever the
   * session's database is by then (MariaDB switches to it for the execution).
   */
  readonly database: string | null;
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

/**
 * Long data kept to be recorded as values, across all of a session's statements. Each parameter
 * keeps up to RECORDED_VALUE_BYTES, but a statement may have 65,535 parameters and a session
 * thousands of statements: until 5 December a client could make Vigil hold 64 KiB for each (4 GiB
 * for one statement). Past this, a parameter's long data is recorded by size and SHA-256.
 */
export const KEPT_LONG_DATA_BYTES = 1024 * 1024;

/** MariaDB: an EXECUTE of statement id 0xFFFFFFFF runs the statement prepared last. */
export const LAST_PREPARED = 0xffff_ffff;

export class StatementRegistry {
  readonly #statements = new Map<number, PreparedStatement>();
  /** The id of the last PREPARE the server answered; null when that PREPARE failed. */
  #last: number | null = null;
  /** Bytes in the `kept` lists of every statement's long data. */
  #keptBytes = 0;

  confirmPrepared(
    id: number,
    text: string,
    classification: Classification,
    params: number,
    database: string | null,
  ): void {
    this.#statements.set(id, {
      id,
      text,
      classification,
      database,
      params,
      types: null,
      longData: new Map(),
    });
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
    const statement = this.#statements.get(closed);
    if (statement) this.dropLongData(statement);
    this.#statements.delete(closed);
    if (closed === this.#last) this.#last = null;
  }

  #resolve(id: number): number {
    return id === LAST_PREPARED && this.#last !== null ? this.#last : id;
  }

  clear(): void {
    this.#statements.clear();
    this.#last = null;
    this.#keptBytes = 0;
  }

  /** The long data was used by an EXECUTE or reset by the server: gone. */
  dropLongData(statement: PreparedStatement): void {
    for (const entry of statement.longData.values()) if (entry.kept) this.#keptBytes -= entry.bytes;
    statement.longData.clear();
  }

  dropLongDataOf(id: number): void {
    const statement = this.get(id);
    if (statement) this.dropLongData(statement);
  }

  /** Bytes of long data kept to be recorded as values (bounded by KEPT_LONG_DATA_BYTES). */
  get keptBytes(): number {
    return this.#keptBytes;
  }

  addLongData(statement: PreparedStatement, param: number, data: Buffer): void {
    let entry = statement.longData.get(param);
    if (!entry) {
      entry = { bytes: 0, hash: createHash('sha256'), kept: [] };
      statement.longData.set(param, entry);
    }
    if (!entry.kept) {
      // Recorded by size and hash already.
    } else if (
      entry.bytes + data.length <= RECORDED_VALUE_BYTES &&
      this.#keptBytes + data.length <= KEPT_LONG_DATA_BYTES
    ) {
      entry.kept.push(Buffer.from(data));
      this.#keptBytes += data.length;
    } else {
      this.#keptBytes -= entry.bytes;
      entry.kept = null;
    }
    entry.bytes += data.length;
    entry.hash.update(data);
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
