// MySQL statements parsed off the gateway's thread, each within a time limit. node-sql-parser takes
// time exponential in some nestings (bench/mysql/parser-nesting.ts: a CAST nested 12 deep takes
// seconds, 16 join groups half a minute): on the one thread every session of every protocol
// shares, one such statement stalled them all. Here a parse runs in one of a few worker threads; a
// parse that outlasts its limit is refused (statement_too_complex) and its worker is ended and
// replaced, so the next statement is parsed promptly.
// Texts wait in one queue, first come first served; the time limit counts from when a worker takes
// the text, not from when it was queued, so a statement is never refused for the parses ahead of
// it. A connection queues one text at a time (its statements and PREPAREs are classified one after
// another, sql-classifier.ts), so a client sending slow statements delays other clients' new
// statements by at most one limit per connection it holds, and never the gateway's thread.
import type { Worker } from 'node:worker_threads';
import { VigilError } from '../../core/errors.js';
import { startModuleWorker } from '../../runtime/module-worker.js';
import type { ParsedStatement } from './statement-parser.js';

/** Two: a slow parse in one leaves the other free, and the machine's other core for the gateway. */
export const PARSE_WORKERS = 2;
/** A worker that fails before it is ready is started again after this (a loop would spin otherwise). */
const RESTART_DELAY_MS = 1000;

interface Job {
  readonly id: number;
  readonly text: string;
  readonly limitMs: number;
  readonly resolve: (parsed: ParsedStatement | null) => void;
  readonly reject: (err: VigilError) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job: Job | null;
  timer: NodeJS.Timeout | null;
}

type Reply = { readonly ready: true } | { readonly id: number; readonly parsed: ParsedStatement | null };

export interface ParserPoolOptions {
  readonly workers?: number;
}

export class ParserPool {
  readonly #start: () => Worker;
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  #nextId = 1;
  #closed = false;
  /** Workers replaced because a parse outlasted its limit (for tests and the log). */
  replaced = 0;

  constructor(options: ParserPoolOptions = {}) {
    // From dist or from source (runtime/module-worker.ts). A pathological parse may also grow the
    // heap: bounded here, not in the gateway's.
    this.#start = () =>
      startModuleWorker(import.meta.url, 'parse-worker', { resourceLimits: { maxOldGenerationSizeMb: 256 } });
    for (let i = 0; i < (options.workers ?? PARSE_WORKERS); i++) {
      const slot: Slot = { worker: this.#start(), ready: false, job: null, timer: null };
      this.#watch(slot);
      this.#slots.push(slot);
    }
  }

  /**
   * The parse of one statement (null: the parser cannot read it); rejects with statement_too_complex
   * when the parse takes longer than `limitMs` once started.
   */
  parse(text: string, limitMs: number): Promise<ParsedStatement | null> {
    if (this.#closed) return Promise.reject(new VigilError('internal', 'the statement parser is closed'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, text, limitMs, resolve, reject });
      this.#dispatch();
    });
  }

  /** Resolves once every worker has loaded the parser (tests; the gateway just queues). */
  async whenReady(): Promise<void> {
    while (!this.#closed && this.#slots.some((s) => !s.ready)) await new Promise((r) => setTimeout(r, 10));
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0))
      job.reject(new VigilError('internal', 'the gateway is stopping'));
    await Promise.all(
      this.#slots.map((slot) => {
        if (slot.timer) clearTimeout(slot.timer);
        slot.job?.reject(new VigilError('internal', 'the gateway is stopping'));
        slot.job = null;
        return slot.worker.terminate();
      }),
    );
  }

  #launch(slot: Slot): void {
    slot.worker = this.#start();
    slot.ready = false;
    this.#watch(slot);
  }

  #watch(slot: Slot): void {
    const worker = slot.worker;
    // The pool never keeps the process alive: a client's socket does while it waits for a parse.
    worker.unref();
    // A worker replaced while it answered is no longer heard.
    worker.on('message', (reply: Reply) => {
      if (slot.worker === worker) this.#onReply(slot, reply);
    });
    worker.on('error', () => undefined);
    worker.on('exit', () => this.#onExit(slot, worker));
  }

  #onReply(slot: Slot, reply: Reply): void {
    if ('ready' in reply) {
      slot.ready = true;
    } else {
      const job = slot.job;
      if (!job || job.id !== reply.id) return;
      if (slot.timer) clearTimeout(slot.timer);
      slot.job = null;
      slot.timer = null;
      job.resolve(reply.parsed);
    }
    this.#dispatch();
  }

  /** Hands queued texts to idle ready workers, each with its time limit from now. */
  #dispatch(): void {
    for (const slot of this.#slots) {
      if (this.#queue.length === 0) return;
      if (!slot.ready || slot.job) continue;
      const job = this.#queue.shift()!;
      slot.job = job;
      slot.timer = setTimeout(() => this.#overrun(slot, job), job.limitMs);
      slot.timer.unref();
      slot.worker.postMessage({ id: job.id, text: job.text });
    }
  }

  /** The parse outlasted its limit: refused, its worker ended and another started in its place. */
  #overrun(slot: Slot, job: Job): void {
    if (slot.job !== job) return;
    slot.job = null;
    slot.timer = null;
    this.replaced++;
    job.reject(
      new VigilError(
        'statement_too_complex',
        `the statement took longer than ${job.limitMs} ms to parse (parse_time_limit_ms); Vigil cannot judge it`,
      ),
    );
    const stuck = slot.worker;
    this.#launch(slot);
    void stuck.terminate();
  }

  /**
   * A worker ended on its own (it failed, or outgrew its heap on a text): its parse is refused and
   * the slot starts another. Workers the pool replaced are no longer the slot's and are ignored.
   */
  #onExit(slot: Slot, worker: Worker): void {
    if (slot.worker !== worker) return;
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    const wasReady = slot.ready;
    slot.ready = false;
    slot.job?.reject(new VigilError('statement_too_complex', 'the statement parser failed on the statement'));
    slot.job = null;
    if (this.#closed) return;
    const restart = () => {
      if (this.#closed) return;
      this.#launch(slot);
      this.#dispatch();
    };
    if (wasReady) {
      restart();
      return;
    }
    // It failed to start: fail closed rather than keep statements waiting for a parser that may
    // never come, unless another worker is there to take them.
    if (!this.#slots.some((s) => s.ready)) {
      for (const job of this.#queue.splice(0))
        job.reject(new VigilError('statement_too_complex', 'the statement parser could not start'));
    }
    setTimeout(restart, RESTART_DELAY_MS).unref();
  }
}
