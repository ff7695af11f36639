// The main thread's side of the append worker: batches (and lease operations, which write too) go
// out with an id, answers come back. If the worker dies, every pending and later append fails (the
// pipeline then fails closed).
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../../runtime/module-worker.js';
import type { AppendBatch } from './append-rows.js';

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

/** A call to one of the worker's replica-lease methods (worker-replica-leases.ts). */
export interface LeaseCall {
  readonly method: string;
  readonly args: readonly unknown[];
}

export class WorkerBatchWriter {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  #dead: Error | null = null;

  constructor(path: string, synchronous: 'FULL' | 'NORMAL') {
    this.#worker = startModuleWorker(import.meta.url, 'append-worker', { workerData: { path, synchronous } });
    this.#worker.on('message', (answer: { id: number; ok: boolean; value?: unknown; message?: string }) => {
      const pending = this.#pending.get(answer.id);
      this.#pending.delete(answer.id);
      if (answer.ok) pending?.resolve(answer.value);
      else pending?.reject(new Error(answer.message ?? 'the append failed'));
    });
    const die = (err: Error) => {
      this.#dead ??= err;
      for (const p of this.#pending.values()) p.reject(this.#dead);
      this.#pending.clear();
    };
    this.#worker.on('error', die);
    this.#worker.on('exit', (code) => die(new Error(`the append worker exited (${code})`)));
    // The worker must not keep the process alive on its own; pending appends hold a reference.
    this.#worker.unref();
  }

  /**
   * Writes the batch after those sent before it. One that `continues` the last event batch is
   * refused when that one was not written (its hashes chain onto rows that are not there).
   */
  write(batch: AppendBatch, continues = false): Promise<void> {
    return this.#send((id) => ({ id, batch, continues })) as Promise<void>;
  }

  /** Runs a replica-lease method on the worker's connection; resolves to what it returned. */
  lease(call: LeaseCall): Promise<unknown> {
    return this.#send((id) => ({ id, lease: call }));
  }

  #send(job: (id: number) => object): Promise<unknown> {
    if (this.#dead) return Promise.reject(this.#dead);
    const id = this.#next++;
    return new Promise<unknown>((resolve, reject) => {
      this.#worker.ref();
      const done = () => {
        if (this.#pending.size === 0) this.#worker.unref();
      };
      this.#pending.set(id, {
        resolve: (value) => {
          resolve(value);
          done();
        },
        reject: (err) => {
          reject(err);
          done();
        },
      });
      this.#worker.postMessage(job(id));
    });
  }

  async close(): Promise<void> {
    if (this.#dead) return;
    const exited = new Promise((r) => this.#worker.once('exit', r));
    this.#worker.ref();
    this.#worker.postMessage('close');
    await exited;
  }
}
