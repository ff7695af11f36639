// MySQL statements parsed off the gateway's thread, each within a time limit. node-sql-parser takes
// time exponential in some nestings (bench/mysql/parser-nesting.ts: a CAST nested 12 deep takes
// seconds, 16 join groups half a minute): on the one thread every session of every protocol
// shares, one such statement stalled them all. Here a parse runs in one of a few worker threads; a
// parse that outlasts its limit is refused (statement_too_complex) and its worker is ended and
// replaced, so the next statement is parsed promptly.
// The time limit counts from when a worker takes the text, not from when it was queued, so a
// statement is never refused for the parses ahead of it. A connection queues one text at a time
// (its statements and PREPAREs are classified one after another, sql-classifier.ts), but one
// identity may hold many connections: until 7 December texts waited in one queue, first come first
// served, so an identity sending slow statements on eight connections held every other client's
// new statements for four limits. Texts now wait in one queue per owner (the identity), served in
// turn, so another owner's text waits for at most the parses already running; and an owner with
// as many texts waiting as it may (parse_queue_per_identity) has the next refused at once
// (parser_queue_full) rather than queued without end.
import type { Worker } from 'node:worker_threads';
import { VigilError } from '../../core/errors.js';
import { startModuleWorker } from '../../runtime/module-worker.js';
import type { ParsedStatement } from './statement-parser.js';

/** Two: a slow parse in one leaves the other free, and the machine's other core for the gateway. */
export const PARSE_WORKERS = 2;
/** A worker that fails before it is ready is started again after this (a loop would spin otherwise). */
const RESTART_DELAY_MS = 1000;
/**
 * Texts one owner may have waiting for a worker (running ones aside). A statement seen before is
 * answered from the classifier's caches without a parse and an unseen one parses in about a
 * millisecond, so a pool of connections rarely has more than a few waiting; a flood of slow ones
 * is refused past this. The default of a connection's parse_queue_per_identity (config.ts).
 */
export const MAX_WAITING_PER_OWNER = 64;

interface Job {
  readonly id: number;
  readonly owner: string;
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
  readonly maxWaitingPerOwner?: number;
}

export class ParserPool {
  readonly #start: () => Worker;
  readonly #slots: Slot[] = [];
  /** Waiting texts by owner, in order of arrival; an owner with none is not in it. */
  readonly #queues = new Map<string, Job[]>();
  /** When each active owner last had a text dispatched (#turns at the time). */
  readonly #served = new Map<string, number>();
  #turns = 0;
  readonly #maxWaiting: number;
  #nextId = 1;
  #closed = false;
  /** Workers replaced because a parse outlasted its limit (for tests and the log). */
  replaced = 0;

  constructor(options: ParserPoolOptions = {}) {
    this.#maxWaiting = options.maxWaitingPerOwner ?? MAX_WAITING_PER_OWNER;
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
   * when the parse takes longer than `limitMs` once started, and with parser_queue_full when `owner`
   * (whose turn it waits for: the identity) has `maxWaiting` texts waiting already.
   */
  parse(
    text: string,
    limitMs: number,
    owner = '',
    maxWaiting = this.#maxWaiting,
  ): Promise<ParsedStatement | null> {
    if (this.#closed) return Promise.reject(new VigilError('internal', 'the statement parser is closed'));
    const waiting = this.#queues.get(owner) ?? [];
    if (waiting.length >= maxWaiting)
      return Promise.reject(
        new VigilError(
          'parser_queue_full',
          `${waiting.length} statements of this identity are already waiting for the statement parser (parse_queue_per_identity); Vigil refuses more until they are parsed`,
        ),
      );
    return new Promise((resolve, reject) => {
      waiting.push({ id: this.#nextId++, owner, text, limitMs, resolve, reject });
      if (!this.#queues.has(owner)) this.#queues.set(owner, waiting);
      this.#dispatch();
    });
  }

  /**
   * The next text in turn: the first waiting of the owner served longest ago (one never served, or
   * idle since, first). Owners neither waiting nor running are forgotten, so the record stays as
   * small as the set of active owners.
   */
  #next(): Job | undefined {
    let owner: string | undefined;
    let servedAt = Number.POSITIVE_INFINITY;
    for (const o of this.#queues.keys()) {
      const at = this.#served.get(o) ?? -1;
      if (at < servedAt) [owner, servedAt] = [o, at];
    }
    if (owner === undefined) return undefined;
    const jobs = this.#queues.get(owner)!;
    const job = jobs.shift();
    if (jobs.length === 0) this.#queues.delete(owner);
    for (const o of this.#served.keys())
      if (!this.#queues.has(o) && !this.#slots.some((s) => s.job?.owner === o)) this.#served.delete(o);
    this.#served.set(owner, ++this.#turns);
    return job;
  }

  /** Every waiting text, taken out of the queues (to be refused). */
  #drain(): Job[] {
    const jobs = [...this.#queues.values()].flat();
    this.#queues.clear();
    return jobs;
  }

  /** Resolves once every worker has loaded the parser (tests; the gateway just queues). */
  async whenReady(): Promise<void> {
    while (!this.#closed && this.#slots.some((s) => !s.ready)) await new Promise((r) => setTimeout(r, 10));
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#drain()) job.reject(new VigilError('internal', 'the gateway is stopping'));
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
      if (this.#queues.size === 0) return;
      if (!slot.ready || slot.job) continue;
      const job = this.#next();
      if (!job) return;
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
      for (const job of this.#drain())
        job.reject(new VigilError('statement_too_complex', 'the statement parser could not start'));
    }
    setTimeout(restart, RESTART_DELAY_MS).unref();
  }
}
