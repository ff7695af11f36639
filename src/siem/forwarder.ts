// One forwarder per sink: reads the log by global index from the sink's cursor, in batches, hands
// each batch to the sink and moves the cursor only once the sink acknowledged it. It wakes on this
// process's commits and also polls (another process may append to the same store). Failures are
// retried with capped exponential backoff and jitter; the forwarder never gives up its place, and it
// runs beside the data path, never in it: a commit only wakes it.
import type { EventSource, RawEventRow } from '../core/ports.js';
import type { CursorFile } from './cursor-file.js';
import { formatEvent, type SiemFormat } from './formats.js';
import type { SiemRecord, SiemSink } from './sink.js';

export interface ForwarderOptions {
  readonly name: string;
  readonly type: string;
  readonly sink: SiemSink;
  readonly source: EventSource;
  readonly cursor: CursorFile;
  readonly format: SiemFormat;
  readonly batchSize: number;
  readonly pollMs: number;
  readonly maxBackoffMs: number;
  /** The log's size as this process last committed it (for the lag). */
  readonly ledgerSize: () => number;
  /** Told of each failure, with a message that holds no event content. */
  readonly onError?: (message: string) => void;
  readonly random?: () => number;
}

export interface ForwarderStatus {
  readonly name: string;
  readonly type: string;
  readonly format: SiemFormat;
  /** The next global index to deliver (everything before it is acknowledged). */
  readonly cursor: number;
  readonly ledger_size: number;
  readonly lag: number;
  readonly delivered: number;
  readonly consecutive_failures: number;
  readonly last_error: string | null;
  readonly last_error_at: string | null;
  readonly last_delivered_at: string | null;
  readonly state: 'idle' | 'delivering' | 'retrying' | 'stopped';
}

/** The first retry waits about this long; each further failure doubles it, up to maxBackoffMs. */
const FIRST_BACKOFF_MS = 250;
/** Rows read and formatted per turn of the event loop. */
const PAGE_ROWS = 100;

export class SiemForwarder {
  readonly #o: ForwarderOptions;
  #next = 0;
  #seenSize = 0;
  #delivered = 0;
  #failures = 0;
  #lastError: string | null = null;
  #lastErrorAt: string | null = null;
  #lastDeliveredAt: string | null = null;
  #state: ForwarderStatus['state'] = 'idle';
  /** Deliver what there is, then stop (close was asked). */
  #draining = false;
  /** Stop now, even mid-retry. */
  #stopped = false;
  #wake: (() => void) | null = null;
  /** The newest acknowledged position, and the newest one the cursor file holds. */
  #wanted = 0;
  #written = 0;
  #persisting: Promise<void> | null = null;
  #pastEndNoted = false;
  #loop: Promise<void> | null = null;

  constructor(options: ForwarderOptions) {
    this.#o = options;
  }

  start(): void {
    this.#next = this.#o.cursor.read();
    this.#wanted = this.#next;
    this.#written = this.#next;
    this.#loop = this.#run();
  }

  /** New events were committed: look now rather than at the next poll. */
  wake(): void {
    this.#wake?.();
  }

  status(): ForwarderStatus {
    const size = Math.max(this.#o.ledgerSize(), this.#seenSize, this.#next);
    return {
      name: this.#o.name,
      type: this.#o.type,
      format: this.#o.format,
      cursor: this.#next,
      ledger_size: size,
      lag: size - this.#next,
      delivered: this.#delivered,
      consecutive_failures: this.#failures,
      last_error: this.#lastError,
      last_error_at: this.#lastErrorAt,
      last_delivered_at: this.#lastDeliveredAt,
      state: this.#state,
    };
  }

  /**
   * Delivers what the log holds now, for at most `deadlineMs`, then stops. A batch the sink has not
   * acknowledged by then is abandoned (its cursor not moved), so the next start sends it again.
   */
  async stop(deadlineMs: number): Promise<void> {
    this.#draining = true;
    this.wake();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, deadlineMs);
    });
    await Promise.race([this.#loop, deadline]);
    clearTimeout(timer);
    this.#stopped = true;
    this.wake();
    // A delivery still in flight is cut by closing the sink; the loop then ends on its own.
    await this.#o.sink.close();
    await this.#loop;
    // The last acknowledged position reaches the file (one more try if a write failed).
    await this.#persisting;
    if (this.#written < this.#wanted) this.#persist(this.#wanted);
    await this.#persisting;
    this.#state = 'stopped';
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      let records: SiemRecord[];
      try {
        records = await this.#readBatch();
      } catch (err) {
        await this.#failed(`reading the ledger failed: ${(err as Error).name}`);
        continue;
      }
      if (records.length === 0) {
        if (this.#draining) return;
        // A cursor past the end (a data directory restored from an older backup) waits for the log
        // to grow back: said in the status rather than silently skipping or resending.
        const size = Math.max(this.#o.ledgerSize(), this.#seenSize);
        if (this.#next > size && !this.#pastEndNoted) {
          this.#pastEndNoted = true;
          this.#note(`the cursor (${this.#next}) is past the end of the ledger (${size})`);
        }
        this.#state = 'idle';
        await this.#pause(this.#o.pollMs);
        continue;
      }
      this.#state = 'delivering';
      try {
        await this.#o.sink.deliver(records);
      } catch (err) {
        if (this.#stopped) return;
        await this.#failed((err as Error).message);
        continue;
      }
      const next = records.at(-1)!.index + 1;
      this.#next = next;
      this.#seenSize = Math.max(this.#seenSize, next);
      this.#delivered += records.length;
      this.#failures = 0;
      this.#lastDeliveredAt = new Date().toISOString();
      this.#persist(next);
    }
  }

  /**
   * The next batch from the cursor, read and formatted a page at a time with a turn of the event
   * loop between pages: a store may read synchronously, and the data path shares this thread.
   */
  async #readBatch(): Promise<SiemRecord[]> {
    const records: SiemRecord[] = [];
    while (records.length < this.#o.batchSize) {
      const from = this.#next + records.length;
      const want = Math.min(PAGE_ROWS, this.#o.batchSize - records.length);
      const page = contiguousFrom(from, await this.#o.source.readEvents(from, want));
      for (const row of page) {
        records.push({
          index: row.index,
          type: row.type,
          time: row.time,
          line: formatEvent(row, this.#o.format),
        });
      }
      if (page.length < want) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    return records;
  }

  /**
   * Records the acknowledged position without holding up the next delivery. Writes never overlap
   * and always move forward; while one is in flight, only the newest position is kept to write next.
   */
  #persist(next: number): void {
    this.#wanted = next;
    this.#persisting ??= (async () => {
      while (this.#written < this.#wanted) {
        const target = this.#wanted;
        try {
          await this.#o.cursor.write(target);
          this.#written = target;
        } catch (err) {
          // The sink has the batch; only a restart before the next good write would send it again.
          this.#note(`writing the cursor failed: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
          break;
        }
      }
      this.#persisting = null;
    })();
  }

  async #failed(message: string): Promise<void> {
    this.#failures++;
    this.#state = 'retrying';
    this.#note(message);
    // Full exponential growth, capped, then jittered into [half, whole] so that sinks that failed
    // together do not retry together.
    const ceiling = Math.min(this.#o.maxBackoffMs, FIRST_BACKOFF_MS * 2 ** Math.min(this.#failures - 1, 30));
    const random = this.#o.random ?? Math.random;
    await this.#pause(ceiling / 2 + (ceiling / 2) * random(), { wakeable: false });
  }

  #note(message: string): void {
    this.#lastError = message;
    this.#lastErrorAt = new Date().toISOString();
    this.#o.onError?.(message);
  }

  /** Waits `ms`, or less when woken (new commits; always on stop). */
  #pause(ms: number, { wakeable = true } = {}): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        if (wakeable || this.#stopped) {
          this.#wake = null;
          done();
        }
      };
    });
  }
}

/** The rows that continue exactly at `next`: a gap (never expected) is read again, not skipped. */
function contiguousFrom(next: number, rows: readonly RawEventRow[]): readonly RawEventRow[] {
  let n = 0;
  while (n < rows.length && rows[n]!.index === next + n) n++;
  return n === rows.length ? rows : rows.slice(0, n);
}
