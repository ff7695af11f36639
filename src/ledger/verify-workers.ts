// The worker threads of one verification: each batch (rows this thread read, or a range for the
// worker to read itself) goes to the least busy worker that has started, and comes back as a
// promise of what the worker vouches for. Workers may finish out of order; the verifier awaits the
// batches in log order (verify-stream.ts), so a later batch's answer can never stand before an
// earlier batch's fault.
import type { Worker } from 'node:worker_threads';
import type { EventSourceOpener, RawEventRow } from '../core/ports.js';
import { startModuleWorker } from '../runtime/module-worker.js';
import type { Depth } from './event-hashes.js';
import { packRows } from './packed-rows.js';
import type { BatchCheck } from './verify-batch.js';
import type { RangeTask, VerifyWorkerData, WorkerAnswer, WorkerTask } from './verify-messages.js';
import type { CoverageRecords, RangeCheck } from './verify-range.js';

/** Hears a batch's first log position as a worker finishes it; a promise holds the batch's answer until it settles. */
export type BatchCheckedHook = (start: number) => void | Promise<void>;

interface Waiting {
  readonly start: number;
  resolve(check: BatchCheck | RangeCheck): void;
  reject(err: unknown): void;
}

class VerifyWorker {
  readonly worker: Worker;
  ready = false;
  readonly waiting = new Map<number, Waiting>();
  /** The purge records' generation this worker was last sent. */
  coverageSent = -1;
  /** Settles when the worker has loaded its code and opened its reader (or failed to). */
  readonly started: Promise<void>;
  /** Resolves when the thread has ended, for whatever reason. */
  readonly exited: Promise<void>;
  #startFailed: (err: unknown) => void = () => {};

  constructor(data: VerifyWorkerData, onChecked: BatchCheckedHook) {
    this.worker = startModuleWorker(import.meta.url, 'verify-worker', { workerData: data });
    let started = () => {};
    this.started = new Promise<void>((resolve, reject) => {
      started = resolve;
      this.#startFailed = reject;
    });
    this.worker.on('message', (answer: WorkerAnswer) => {
      if (answer === 'ready') {
        this.ready = true;
        started();
        return;
      }
      const waiting = this.waiting.get(answer.id);
      // An answer nobody waits for any more: a fault ended the verification (a worker failed, or
      // the reader refused a row) while this batch was on its way. Until 6 December it threw here.
      if (waiting === undefined) return;
      this.waiting.delete(answer.id);
      const held = onChecked(waiting.start);
      if (held === undefined) waiting.resolve(answer.check);
      else void held.then(() => waiting.resolve(answer.check));
    });
    this.worker.on('error', (err) => this.#fail(err));
    this.exited = new Promise<void>((resolve) => {
      this.worker.on('exit', (code) => {
        this.#fail(new Error(`a verification worker exited (code ${code})`));
        resolve();
      });
    });
  }

  /** Sends the task; the promise of its answer. */
  ask<T extends BatchCheck | RangeCheck>(
    task: Exclude<WorkerTask, { kind: 'close' }>,
    transfer: ArrayBuffer[] = [],
  ): Promise<T> {
    const answer = new Promise<T>((resolve, reject) => {
      this.waiting.set(task.id, { start: task.start, resolve: resolve as Waiting['resolve'], reject });
    });
    // Batches still on their way when a fault ends the verification are never awaited.
    answer.catch(() => {});
    this.worker.postMessage(task, transfer);
    return answer;
  }

  /** Lets the worker release its reader (a PostgreSQL pool ends its connections), then stops it. */
  async close(): Promise<void> {
    this.worker.postMessage({ kind: 'close' } satisfies WorkerTask);
    const timer = setTimeout(() => void this.worker.terminate(), CLOSE_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }

  #fail(err: unknown): void {
    this.ready = false;
    this.#startFailed(err);
    for (const waiting of this.waiting.values()) waiting.reject(err);
    this.waiting.clear();
  }
}

/** A worker that has not loaded its code by then never will: verify without workers. */
const START_TIMEOUT_MS = 30_000;
/** A worker busy with a range when the verification ends is stopped after this long. */
const CLOSE_TIMEOUT_MS = 2_000;

export class VerifyWorkers {
  readonly #workers: VerifyWorker[] = [];
  #nextId = 0;

  /**
   * Starts `count` workers and waits until all have loaded their code (about 80 ms compiled on two
   * busy cores, 400 ms from source under tsx) and opened their `reader`, so that batches spread
   * over all of them; null when one cannot start in START_TIMEOUT_MS, and the verifier then checks
   * everything itself. `onChecked` hears each batch's first log position as a worker finishes it,
   * in the order they finish, and may hold its answer.
   */
  static async start(
    count: number,
    depth: Depth,
    onChecked: BatchCheckedHook = () => {},
    reader: EventSourceOpener | null = null,
  ): Promise<VerifyWorkers | null> {
    const pool = new VerifyWorkers(reader !== null);
    const data: VerifyWorkerData = { depth: { sessionId: depth.sessionId, since: depth.since }, reader };
    for (let i = 0; i < count; i++) pool.#workers.push(new VerifyWorker(data, onChecked));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('verification workers did not start')), START_TIMEOUT_MS);
    });
    try {
      await Promise.race([Promise.all(pool.#workers.map((w) => w.started)), timeout]);
      return pool;
    } catch {
      await pool.close();
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  /** `reading`: the workers read their own ranges of the log (checkRange), else they are sent rows (check). */
  private constructor(readonly reading: boolean) {}

  get size(): number {
    return this.#workers.length;
  }

  /**
   * Sends rows (the events at log positions start, start + 1, ...) to the least busy worker; null
   * when every worker has failed, and the caller checks the batch itself.
   */
  check(
    rows: readonly RawEventRow[],
    start: number,
    checkpointSizes: readonly number[],
  ): Promise<BatchCheck> | null {
    const chosen = this.#leastBusy();
    if (chosen === null) return null;
    const packed = packRows(rows);
    return chosen.ask<BatchCheck>(
      { kind: 'rows', id: this.#nextId++, start, rows: packed, checkpointSizes },
      [packed.lengths.buffer, packed.seqs.buffer],
    );
  }

  /**
   * Asks the least busy worker to read and check at most `limit` events from log position `start`,
   * judging missing payloads by `coverage` (purge records of generation `generation`); null when
   * every worker has failed, and the caller reads and checks the range itself.
   */
  checkRange(
    range: Pick<RangeTask, 'start' | 'limit' | 'checkpointSizes' | 'generation'>,
    coverage: CoverageRecords,
  ): Promise<RangeCheck> | null {
    const chosen = this.#leastBusy();
    if (chosen === null) return null;
    const sent = chosen.coverageSent === range.generation;
    chosen.coverageSent = range.generation;
    return chosen.ask<RangeCheck>({
      kind: 'range',
      id: this.#nextId++,
      ...range,
      coverage: sent ? null : coverage,
    });
  }

  #leastBusy(): VerifyWorker | null {
    let chosen: VerifyWorker | null = null;
    for (const w of this.#workers) {
      if (w.ready && (chosen === null || w.waiting.size < chosen.waiting.size)) chosen = w;
    }
    return chosen;
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.splice(0).map((w) => w.close()));
  }
}
