// The purge records as one verification uses them. They are read before the log, because a missing
// payload is judged by them, and read again when a payload is found missing (a purge may have run
// since: its record is written first). Each record read must then be met in the log exactly as it
// was read, or the log changed under the verification.
import type { EventSource, RawEventRow } from '../core/ports.js';
import { PURGE_RECORD_TYPE } from './event-source.js';
import type { LedgerFault } from './faults.js';
import { PurgeCoverage, parsePurgeRecord } from './purge-record.js';
import { fail } from './verify-fault.js';
import type { CoverageRecords } from './verify-range.js';

export class PurgeRecordsRead {
  #rereads = 0;
  #coverage = new PurgeCoverage([]);
  #records: CoverageRecords = [];
  /** Records read, by index: the log must hold them as read. */
  readonly #texts = new Map<number, string | null>();
  readonly #reached = new Set<number>();

  constructor(private readonly source: EventSource) {}

  /** How many times the records were read again: the generation a worker's range was judged by. */
  get rereads(): number {
    return this.#rereads;
  }

  /** The records missing payloads are judged by now. */
  get records(): CoverageRecords {
    return this.#records;
  }

  /** Global indexes of the records the log has reached so far. */
  get reached(): number[] {
    return [...this.#reached];
  }

  async read(again: boolean): Promise<void> {
    if (again) this.#rereads++;
    const rows = await this.source.purgeRecords();
    this.#texts.clear();
    for (const row of rows) this.#texts.set(row.index, row.payload);
    this.#records = rows.flatMap((row) => {
      const record = row.payload === null ? null : parsePurgeRecord(row.payload);
      return record ? [{ ...record, index: row.index }] : [];
    });
    this.#coverage = new PurgeCoverage(this.#records);
  }

  covers(index: number, time: string): boolean {
    return this.#coverage.covers(index, time);
  }

  /** A payload missing where no record read so far covers it: worth reading the records again. */
  uncovered(row: RawEventRow): boolean {
    return (
      row.payload === null &&
      !row.payloadObject &&
      row.type !== PURGE_RECORD_TYPE &&
      !this.#coverage.covers(row.index, row.time)
    );
  }

  /**
   * The log reached a record. One read ahead must be as read (coverage was judged by it); one
   * appended since (a purge while verifying) was not used, and is checked like the rest.
   */
  reach(row: RawEventRow, at: Omit<LedgerFault, 'kind' | 'message'>): void {
    if (!this.asRead(row.index, row.payload)) {
      fail('hash_mismatch', `purge record ${row.index} changed while the ledger was being verified`, at);
    }
    this.#reached.add(row.index);
  }

  /** Whether a record met in a worker's range is as read ahead (or was not read ahead). */
  asRead(index: number, payload: string | null): boolean {
    return !this.#texts.has(index) || this.#texts.get(index) === payload;
  }

  /** Records of a worker's range taken whole (each checked with asRead first). */
  reachAll(records: readonly { readonly index: number }[]): void {
    for (const { index } of records) this.#reached.add(index);
  }

  /** A record read ahead that the log never reached was removed or retyped meanwhile. */
  checkAllReached(): void {
    for (const index of this.#texts.keys()) {
      if (!this.#reached.has(index)) {
        fail('hash_mismatch', `purge record ${index} changed while the ledger was being verified`, { index });
      }
    }
  }

  /**
   * A record after the latest checkpoint is only as trustworthy as the database, for now: whoever can
   * write it can append one to explain payloads they erased, signed events' payloads included, and
   * the gateway's next checkpoint would sign it like any other event. The note says so rather than
   * promising that checkpoint, so a purge nobody ran is looked into before then.
   */
  notCheckpointedNote(signedSize: number): string | null {
    const unsigned = [...this.#reached].filter((index) => index >= signedSize);
    if (unsigned.length === 0) return null;
    return `purge record(s) at event ${unsigned.join(', ')} not yet covered by a signed checkpoint: the payloads they name are missing on the database's word alone (anyone who can write it can add such a record) until the gateway's next checkpoint covers them; if no one ran vigil purge then, they were erased`;
  }
}
