// When a session ends (its session.end committed), read its events back from the store and hand
// them to the exporter: off the data path, one session at a time. The commit listener only queues
// a session id; the reading happens later on the event loop, planning and sending in the exporter's
// worker thread. An export that
// fails is logged (the logger masks) and counted, never retried into a backlog, never fatal.
import type { RecordedEvent, StoredEvent } from '../core/events.js';
import type { SessionExporter } from './session-exporter.js';

export interface TracingLogger {
  warn(facts: object, message: string): void;
}

export interface SessionTracerDeps {
  readonly readSession: (sessionId: string) => Promise<StoredEvent[]>;
  readonly exporter: SessionExporter;
  readonly logger: TracingLogger;
  /** Sessions waiting to be exported beyond this are dropped (counted): a dead collector costs no memory. */
  readonly maxQueued?: number;
  /** Sessions with more events are not exported (counted, logged): see MAX_TRACED_EVENTS. */
  readonly maxEvents?: number;
}

/**
 * A session is read back whole, on the gateway's event loop, to be traced. A client can make one
 * session as long as it likes (a database connection running a million statements), and reading a
 * million events at once would take the gateway's memory, and the gateway, down as the session
 * ends. The session.end event's sequence number tells the count before anything is read.
 */
export const MAX_TRACED_EVENTS = 200_000;

export interface TracingStats {
  sessionsExported: number;
  spansExported: number;
  /** Sessions whose export (or reading) failed. */
  exportFailures: number;
  /** Sessions not exported because the queue was full or tracing was closing. */
  sessionsDropped: number;
  /** Sessions not exported because they had more than MAX_TRACED_EVENTS events. */
  sessionsTooLarge: number;
}

export class SessionTracer {
  readonly #deps: SessionTracerDeps;
  readonly #queue: string[] = [];
  readonly #maxQueued: number;
  readonly #maxEvents: number;
  #running: Promise<void> | null = null;
  #closed = false;
  readonly stats: TracingStats = {
    sessionsExported: 0,
    spansExported: 0,
    exportFailures: 0,
    sessionsDropped: 0,
    sessionsTooLarge: 0,
  };

  constructor(deps: SessionTracerDeps) {
    this.#deps = deps;
    this.#maxQueued = deps.maxQueued ?? 10_000;
    this.#maxEvents = deps.maxEvents ?? MAX_TRACED_EVENTS;
  }

  /** The recorder's commit listener: must never throw (it runs inside the commit's bookkeeping). */
  readonly onCommit = (events: readonly RecordedEvent[]): void => {
    for (const e of events) {
      if (e.type !== 'session.end') continue;
      // Sequence numbers are contiguous from 0: the end event's is the count of the events before it.
      if (e.seq + 1 > this.#maxEvents) this.#tooLarge(e.sessionId, e.seq + 1);
      else this.#enqueue(e.sessionId);
    }
  };

  #tooLarge(sessionId: string, events: number): void {
    this.stats.sessionsTooLarge++;
    this.#deps.logger.warn(
      { session: sessionId, events, limit: this.#maxEvents },
      'trace not exported: the session has too many events',
    );
  }

  #enqueue(sessionId: string): void {
    if (this.#closed || this.#queue.length >= this.#maxQueued) {
      this.stats.sessionsDropped++;
      return;
    }
    this.#queue.push(sessionId);
    // setImmediate: the commit that ended the session finishes before any reading starts.
    this.#running ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#drain());
  }

  async #drain(): Promise<void> {
    try {
      for (let id = this.#queue.shift(); id !== undefined; id = this.#queue.shift())
        await this.#exportOne(id);
    } finally {
      this.#running = null;
    }
  }

  async #exportOne(sessionId: string): Promise<void> {
    try {
      const events = await this.#deps.readSession(sessionId);
      if (events.length === 0) return;
      this.stats.spansExported += await this.#deps.exporter.export(events);
      this.stats.sessionsExported++;
    } catch (err) {
      this.stats.exportFailures++;
      this.#deps.logger.warn(
        { session: sessionId, err: err instanceof Error ? err.message : String(err) },
        'trace export failed',
      );
    }
  }

  /** Resolves when every session queued so far has been exported or has failed. */
  async flush(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Exports what is queued (within `graceMs`), then stops; later session ends are dropped. */
  async close(graceMs = 5000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.flush(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(timer);
    this.#closed = true;
    this.stats.sessionsDropped += this.#queue.length;
    this.#queue.length = 0;
    await this.#deps.exporter.shutdown().catch(() => undefined);
  }
}
