// The gateway's side of the trace export worker (export-worker.ts): a session's events go out with
// an id, the number of spans sent (or the failure) comes back. The worker holds the collector's
// headers, which are secrets: they travel in workerData, in memory, and the worker logs nothing.
//
// A worker that errors or exits fails the exports it held, and the next export starts another:
// until 5 December one death failed every later export for the life of the process. A worker that
// dies before answering anything (it cannot start, or crashes on every session) is not started again
// at once: each such death in a row doubles the wait before the next start (1 s up to a minute), and
// exports in the meantime fail with the reason, so a broken worker costs a start now and then, never
// a loop of them.
import type { Worker } from 'node:worker_threads';
import type { StoredEvent } from '../core/events.js';
import { startModuleWorker } from '../runtime/module-worker.js';
import type { SessionExporter } from './session-exporter.js';

export interface ExportWorkerSettings {
  readonly endpoint: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly serviceName: string;
  readonly content: boolean;
}

export interface ExportRequest {
  readonly id: number;
  readonly events: readonly StoredEvent[];
}

type ExportAnswer = { id: number; ok: true; spans: number } | { id: number; ok: false; message: string };

interface Pending {
  resolve(spans: number): void;
  reject(err: Error): void;
}

export interface WorkerExporterOptions {
  /** Starts a worker (tests give one that dies); the export worker by default. */
  readonly startWorker?: (settings: ExportWorkerSettings) => Worker;
  /** The clock the restart waits are measured on (tests move it). */
  readonly now?: () => number;
}

/** The wait before starting again after one worker died unanswering; doubled for each further one. */
export const FIRST_RESTART_WAIT_MS = 1000;
export const MAX_RESTART_WAIT_MS = 60_000;

const startExportWorker = (settings: ExportWorkerSettings): Worker =>
  startModuleWorker(import.meta.url, 'export-worker', { workerData: settings });

export class WorkerExporter implements SessionExporter {
  readonly #settings: ExportWorkerSettings;
  readonly #startWorker: (settings: ExportWorkerSettings) => Worker;
  readonly #now: () => number;
  /** Exports sent to the current worker and not answered yet. */
  readonly #pending = new Map<number, Pending>();
  #worker: Worker | null = null;
  #next = 0;
  #starts = 0;
  /** Why the last worker ended, and when. */
  #lastDeath: Error | null = null;
  #diedAt = 0;
  /** Workers in a row that died before answering any export. */
  #silentDeaths = 0;
  #shuttingDown = false;

  constructor(settings: ExportWorkerSettings, options: WorkerExporterOptions = {}) {
    this.#settings = settings;
    this.#startWorker = options.startWorker ?? startExportWorker;
    this.#now = options.now ?? Date.now;
    this.#start();
  }

  /** Workers started so far (the first included). */
  get workerStarts(): number {
    return this.#starts;
  }

  export(events: readonly StoredEvent[]): Promise<number> {
    if (this.#shuttingDown) return Promise.reject(new Error('trace export is shutting down'));
    const worker = this.#worker ?? this.#restart();
    if (!worker) {
      const wait = this.#restartWait() - (this.#now() - this.#diedAt);
      return Promise.reject(
        new Error(`${this.#lastDeath?.message ?? 'the trace export worker ended'}; next start in ${wait} ms`),
      );
    }
    const id = this.#next++;
    return new Promise<number>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, events } satisfies ExportRequest);
    });
  }

  /** Ends the current worker as a crash would (tests; the next export starts another). */
  async terminateWorker(): Promise<void> {
    await this.#worker?.terminate();
  }

  async shutdown(): Promise<void> {
    this.#shuttingDown = true;
    const worker = this.#worker;
    if (!worker) return;
    const exited = new Promise((r) => worker.once('exit', r));
    worker.ref();
    worker.postMessage('close');
    await exited;
  }

  /** A new worker when the wait after the last one's death is over; null while it is not. */
  #restart(): Worker | null {
    if (this.#now() - this.#diedAt < this.#restartWait()) return null;
    return this.#start();
  }

  #restartWait(): number {
    if (this.#silentDeaths === 0) return 0;
    return Math.min(FIRST_RESTART_WAIT_MS * 2 ** (this.#silentDeaths - 1), MAX_RESTART_WAIT_MS);
  }

  #start(): Worker {
    const worker = this.#startWorker(this.#settings);
    this.#worker = worker;
    this.#starts++;
    let answered = false;
    worker.on('message', (answer: ExportAnswer) => {
      answered = true;
      this.#silentDeaths = 0;
      const pending = this.#pending.get(answer.id);
      this.#pending.delete(answer.id);
      if (answer.ok) pending?.resolve(answer.spans);
      else pending?.reject(new Error(answer.message));
      if (this.#pending.size === 0) worker.unref();
    });
    const die = (err: Error) => {
      // An error is followed by an exit; and a worker replaced already has nothing left here.
      if (this.#worker !== worker) return;
      this.#worker = null;
      this.#lastDeath = err;
      this.#diedAt = this.#now();
      if (!answered) this.#silentDeaths++;
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
    };
    worker.on('error', die);
    worker.on('exit', (code) => die(new Error(`the trace export worker exited (${code})`)));
    // Idle, the worker must not keep the gateway's process alive; a pending export holds a reference.
    worker.unref();
    return worker;
  }
}
