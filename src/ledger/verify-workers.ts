// The worker threads of one verification: each batch goes to the least busy worker that has
// started, and comes back as a promise of what the worker vouches for. Workers may finish out of
// order; the verifier awaits the batches in log order (verify-stream.ts), so a later batch's
// answer can never stand before an earlier batch's fault.
import type { Worker } from 'node:worker_threads';
import type { RawEventRow } from '../core/ports.js';
import { startModuleWorker } from '../runtime/module-worker.js';
import type { Depth } from './event-hashes.js';
import { type PackedRows, packRows } from './packed-rows.js';
import type { BatchCheck } from './verify-batch.js';

export interface BatchTask {
  readonly id: number;
  readonly start: number;
  readonly rows: PackedRows;
  readonly checkpointSizes: readonly number[];
}

export type WorkerAnswer = 'ready' | { readonly id: number; readonly check: BatchCheck };

interface Waiting {
  readonly start: number;
  resolve(check: BatchCheck): void;
  reject(err: unknown): void;
}

class VerifyWorker {
  readonly worker: Worker;
  ready = false;
  readonly waiting = new Map<number, Waiting>();
  /** Settles when the worker has loaded its code (or failed to). */
  readonly started: Promise<void>;
  #startFailed: (err: unknown) => void = () => {};

  constructor(depth: Depth, onChecked: (start: number) => void) {
    this.worker = startModuleWorker(import.meta.url, 'verify-worker', {
      workerData: { sessionId: depth.sessionId, since: depth.since },
    });
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
      const waiting = this.waiting.get(answer.id)!;
      this.waiting.delete(answer.id);
      onChecked(waiting.start);
      waiting.resolve(answer.check);
    });
    this.worker.on('error', (err) => this.#fail(err));
    this.worker.on('exit', (code) => this.#fail(new Error(`a verification worker exited (code ${code})`)));
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

export class VerifyWorkers {
  readonly #workers: VerifyWorker[] = [];
  #nextId = 0;

  /**
   * Starts `count` workers and waits until all have loaded their code (about 80 ms compiled on two
   * busy cores, 400 ms from source under tsx), so that batches spread over all of them; null when
   * one cannot start in START_TIMEOUT_MS, and the verifier then checks everything itself.
   * `onChecked` hears each batch's first log position as a worker finishes it, in the order they finish.
   */
  static async start(
    count: number,
    depth: Depth,
    onChecked: (start: number) => void = () => {},
  ): Promise<VerifyWorkers | null> {
    const pool = new VerifyWorkers();
    for (let i = 0; i < count; i++) pool.#workers.push(new VerifyWorker(depth, onChecked));
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

  private constructor() {}

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
    const id = this.#nextId++;
    const packed = packRows(rows);
    const answer = new Promise<BatchCheck>((resolve, reject) => {
      chosen.waiting.set(id, { start, resolve, reject });
    });
    // Batches still on their way when a fault ends the verification are never awaited.
    answer.catch(() => {});
    const task: BatchTask = { id, start, rows: packed, checkpointSizes };
    chosen.worker.postMessage(task, [packed.lengths.buffer, packed.seqs.buffer]);
    return answer;
  }

  #leastBusy(): VerifyWorker | null {
    let chosen: VerifyWorker | null = null;
    for (const w of this.#workers) {
      if (w.ready && (chosen === null || w.waiting.size < chosen.waiting.size)) chosen = w;
    }
    return chosen;
  }

  async close(): Promise<void> {
    const workers = this.#workers.splice(0);
    for (const w of workers) w.worker.removeAllListeners('exit');
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }
}
