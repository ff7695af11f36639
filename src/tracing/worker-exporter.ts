// The gateway's side of the trace export worker (export-worker.ts): a session's events go out with
// an id, the number of spans sent (or the failure) comes back. The worker holds the collector's
// headers, which are secrets: they travel in workerData, in memory, and the worker logs nothing.
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

export class WorkerExporter implements SessionExporter {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  #dead: Error | null = null;

  constructor(settings: ExportWorkerSettings) {
    this.#worker = startModuleWorker(import.meta.url, 'export-worker', { workerData: settings });
    this.#worker.on('message', (answer: ExportAnswer) => {
      const pending = this.#pending.get(answer.id);
      this.#pending.delete(answer.id);
      if (answer.ok) pending?.resolve(answer.spans);
      else pending?.reject(new Error(answer.message));
      if (this.#pending.size === 0) this.#worker.unref();
    });
    const die = (err: Error) => {
      this.#dead ??= err;
      for (const p of this.#pending.values()) p.reject(this.#dead);
      this.#pending.clear();
    };
    this.#worker.on('error', die);
    this.#worker.on('exit', (code) => die(new Error(`the trace export worker exited (${code})`)));
    // Idle, the worker must not keep the gateway's process alive; a pending export holds a reference.
    this.#worker.unref();
  }

  export(events: readonly StoredEvent[]): Promise<number> {
    if (this.#dead) return Promise.reject(this.#dead);
    const id = this.#next++;
    return new Promise<number>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.ref();
      this.#worker.postMessage({ id, events } satisfies ExportRequest);
    });
  }

  async shutdown(): Promise<void> {
    if (this.#dead) return;
    const exited = new Promise((r) => this.#worker.once('exit', r));
    this.#worker.ref();
    this.#worker.postMessage('close');
    await exited;
  }
}
