// The recorder turns masked event drafts into ledger entries and makes them durable.
// Group commit: drafts that arrive while a write is in flight are written together in the next
// transaction, so many concurrent requests share one fsync. Sequence numbers and hashes are
// assigned when a batch is prepared (prepared-batch.ts), on the committed heads or, while a batch is
// being written, on that batch's heads; the next batch is written only after it has committed
// (handed over at once to a store that takes batches in order, which refuses it if the one under it
// fails), and is prepared again when it failed, so a failed write leaves no gap. Global indexes are given at
// write time, and a store shared by several writers may move the batch to other global indexes (it
// returns them). A draft that cannot be prepared (its session's head cannot be read, its payload
// cannot be encoded) is refused without holding up the others.
// An event nobody waits for (a statement's result, terminal output) may be deferred: it is committed
// with the next batch someone does wait for, or within DEFER_MS, so that a client in a loop pays
// one commit per statement (its action) rather than two.

import { VigilError } from '../core/errors.js';
import type { EventDraft, Identity, RecordedEvent } from '../core/events.js';
import type { Store } from '../core/ports.js';
import { encodeIdentity, GENESIS_HASH } from './chain.js';
import { type Head, type Pending, PreparedBatch } from './prepared-batch.js';

/** How long a deferred event may wait for company before it is committed on its own. */
export const DEFER_MS = 5;

/**
 * At most this many drafts in one commit. A longer queue is written in several batches, each
 * prepared (chained and hashed) while the one before it is on disk, so that this thread and the
 * store's writer work at the same time; 256 events are about 2 ms of the writer's time.
 */
export const MAX_BATCH = 256;

/** How many times a failed batch is prepared again while other writers keep moving the heads. */
const MAX_RETRIES = 3;

const NEW_SESSION_HEAD: Head = { nextSeq: 0, lastHash: GENESIS_HASH };

export interface AppendOptions {
  /** Nobody waits for this event: it may ride with the next batch (within DEFER_MS). */
  readonly deferred?: boolean;
}

interface WrittenBatch {
  readonly events: RecordedEvent[];
  readonly firstIndex: number;
  readonly seconds: number;
}

type WriteOutcome = ({ readonly ok: true } & WrittenBatch) | { readonly ok: false; readonly err: unknown };

/**
 * Told of each durable commit: the batch's events, in index order, and how long its commit took
 * (assigning positions and hashes, the store's write and its fsync), in seconds.
 */
export type CommitListener = (events: readonly RecordedEvent[], seconds: number) => void;

export interface RecorderOptions {
  /** The replica that owns the sessions this recorder starts (a gateway's; none for the CLI). */
  readonly replica?: () => string;
  /**
   * Called before every write; throws (a VigilError) when this process may not write now, as when
   * its replica lease may have lapsed and another replica may be closing its sessions.
   */
  readonly fence?: () => void;
}

export class Recorder {
  readonly #store: Store;
  readonly #options: RecorderOptions;
  readonly #heads = new Map<string, Head>();
  readonly #listeners: CommitListener[] = [];
  readonly #identities = new WeakMap<Identity, string>();
  #queue: Pending[] = [];
  #size = -1;
  #flushing = false;
  #scheduled = false;
  /** Whether the queue holds an event someone waits for. */
  #urgent = false;
  #deferTimer: NodeJS.Timeout | null = null;

  constructor(store: Store, options: RecorderOptions = {}) {
    this.#store = store;
    this.#options = options;
  }

  async init(): Promise<void> {
    this.#size = await this.#store.ledgerSize();
  }

  /** Global log size as committed so far. */
  get size(): number {
    return this.#size;
  }

  /** Called after every durable commit, in order (Merkle log, checkpoints, live views). */
  onCommit(listener: CommitListener): void {
    this.#listeners.push(listener);
  }

  /**
   * Records one event durably. Resolves once it is committed; rejects with `record_failed` when it
   * could not be, in which case nothing of it was stored.
   * `protocol` names the protocol of a session's first event (used by session listings).
   */
  append(draft: EventDraft, protocol?: string, options?: AppendOptions): Promise<RecordedEvent> {
    if (this.#size < 0) return Promise.reject(new Error('Recorder.init() was not called'));
    return new Promise<RecordedEvent>((resolve, reject) => {
      this.#queue.push({ draft, protocol, resolve, reject });
      if (options?.deferred !== true) this.#urgent = true;
      this.#schedule();
    });
  }

  /** Waits for everything queued so far to be committed or failed. */
  async drain(): Promise<void> {
    this.#urgent ||= this.#queue.length > 0;
    this.#schedule();
    while (this.#queue.length > 0 || this.#flushing) {
      await new Promise((r) => setImmediate(r));
    }
  }

  #schedule(): void {
    if (this.#scheduled || this.#flushing || this.#queue.length === 0) return;
    if (!this.#urgent) {
      this.#deferTimer ??= setTimeout(() => {
        this.#deferTimer = null;
        this.#urgent = true;
        this.#schedule();
      }, DEFER_MS);
      return;
    }
    if (this.#deferTimer) {
      clearTimeout(this.#deferTimer);
      this.#deferTimer = null;
    }
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    if (this.#flushing || this.#queue.length === 0) return;
    this.#flushing = true;
    let current: PreparedBatch | null = null;
    let next: PreparedBatch | null = null;
    /** The next batch's write, once sent and until this batch's clients are answered. */
    let sent: Promise<WriteOutcome> | null = null;
    try {
      current = await this.#prepareQueued(this.#newBatch());
      let first = this.#size;
      let writing = this.#write(current, first);
      while (current !== null) {
        next = null;
        if (writing !== null) {
          // While the batch is on disk, chain what queued meanwhile onto its heads. One turn
          // first, so that the clients the last batch answered can queue.
          await new Promise((r) => setImmediate(r));
          if (this.#urgent && this.#queue.length > 0)
            next = await this.#prepareQueued(this.#newBatch(current));
          // A store that takes batches in order gets the next one now and starts it as soon as
          // this one commits (it refuses it if this one fails).
          if (next !== null && this.#store.appendAfter) sent = this.#write(next, first + current.size, true);
          const outcome = await writing;
          writing = null;
          if (outcome.ok) {
            // Otherwise the next batch goes to the store before this one's clients are answered,
            // so that the writer does not wait for them.
            first = outcome.firstIndex + outcome.events.length;
            sent ??= next && this.#write(next, first);
            this.#settle(current, outcome);
            next?.underneathCommitted();
            writing = sent;
            sent = null;
          } else {
            // The next batch was chained onto heads that were not stored: prepared again later
            // (a store that had it already refused it).
            if (sent !== null) await sent;
            sent = null;
            if (next !== null) {
              this.#queue.unshift(...next.pendings);
              this.#urgent = true;
            }
            next = null;
            await this.#retryOrFail(current.pendings, outcome.err);
          }
        }
        current = next;
      }
    } catch (err) {
      // Not expected (a commit listener that throws): no draft may be left unanswered. Settled
      // promises ignore a second answer. A next batch already sent is answered as its write went.
      if (sent !== null && next !== null) {
        const outcome = await sent;
        try {
          if (outcome.ok) this.#settle(next, outcome);
        } catch {
          // Its clients have their answers: settling resolves them before telling the listeners.
        }
      }
      for (const pending of [...(current?.pendings ?? []), ...(next?.pendings ?? [])]) {
        pending.reject(refusal(err));
      }
    } finally {
      this.#flushing = false;
      if (this.#queue.length > 0) this.#schedule();
    }
  }

  /** Takes up to MAX_BATCH queued drafts and chains them onto `batch`. */
  async #prepareQueued(batch: PreparedBatch): Promise<PreparedBatch> {
    const pendings = this.#queue.splice(0, MAX_BATCH);
    // What stays queued is written promptly: it may hold an event someone waits for.
    this.#urgent &&= this.#queue.length > 0;
    await this.#prepare(batch, pendings);
    return batch;
  }

  /** A batch on the committed heads, or on those of `on`, a batch being written. */
  #newBatch(on?: PreparedBatch): PreparedBatch {
    return new PreparedBatch(
      this.#heads,
      this.#options.replica?.(),
      (identity) => this.#encodedIdentity(identity),
      on,
    );
  }

  /**
   * Chains the drafts onto the batch, in order. The drafts of a session whose head cannot be read
   * are refused (none of them is stored); a draft that cannot be encoded is refused alone.
   */
  async #prepare(batch: PreparedBatch, pendings: readonly Pending[]): Promise<void> {
    const loaded = new Map<string, Head | Error>();
    for (const { draft } of pendings) {
      const id = draft.sessionId;
      if (batch.head(id) !== undefined || loaded.has(id)) continue;
      // A session starts with its session.start under a new random id: there is nothing to read
      // (on PostgreSQL a round trip per new session). Were the id taken after all, the store's
      // unique (session, seq) refuses the write and the draft with it.
      if (draft.type === 'session.start') {
        loaded.set(id, NEW_SESSION_HEAD);
        continue;
      }
      loaded.set(
        id,
        await this.#loadHead(id).catch((err: unknown) =>
          err instanceof Error ? err : new Error(String(err)),
        ),
      );
    }
    for (const pending of pendings) {
      const head = batch.head(pending.draft.sessionId) ?? loaded.get(pending.draft.sessionId)!;
      if (head instanceof Error) pending.reject(refusal(head));
      else addOrRefuse(batch, pending, head);
    }
  }

  /**
   * Writes the batch at global indexes from `first` on, `after` the one being written when the
   * store takes it so; null for a batch left empty by refusals.
   */
  #write(batch: PreparedBatch, first: number, after = false): Promise<WriteOutcome> | null {
    return batch.size === 0 ? null : this.#written(batch, first, after);
  }

  async #written(batch: PreparedBatch, first: number, after = false): Promise<WriteOutcome> {
    try {
      this.#options.fence?.();
      const events = batch.eventsFrom(first);
      const { firstIndex } = after
        ? await this.#store.appendAfter!(events, batch.sessions)
        : await this.#store.appendEvents(events, batch.sessions);
      return { ok: true, events, firstIndex, seconds: (performance.now() - batch.started) / 1000 };
    } catch (err) {
      return { ok: false, err };
    }
  }

  #settle(batch: PreparedBatch, { events, firstIndex, seconds }: WrittenBatch): void {
    for (const [id, head] of batch.heads) this.#heads.set(id, head);
    // A store shared by several writers numbers the batch itself (the hashes do not cover the
    // index): the events take the positions it gave them, in the same order.
    const placed =
      firstIndex === this.#size ? events : events.map((e, i) => ({ ...e, index: firstIndex + i }));
    this.#size = firstIndex + placed.length;
    for (let i = 0; i < placed.length; i++) batch.pendings[i]!.resolve(placed[i]!);
    for (const listener of this.#listeners) listener(placed, seconds);
  }

  /**
   * Another writer may have appended since our last commit: into the log (the CLI recording an
   * audit, another process on the same store: the write collides on its index), or into one of the
   * batch's sessions (another replica recording a reviewer's decision in a session this one holds:
   * the write collides on the session's sequence number, while our own later commits keep our view
   * of the log's size current). Re-read the log's head and the session heads and assign positions
   * again, up to MAX_RETRIES times while other writers keep moving them; otherwise nothing of the
   * batch is stored and every draft in it is refused.
   */
  async #retryOrFail(pendings: readonly Pending[], err: unknown): Promise<void> {
    let failure = err;
    let left = pendings;
    for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
      const stored = await this.#store.ledgerSize().catch(() => this.#size);
      if (stored === this.#size && !(await this.#headsMoved(left))) break;
      this.#size = stored;
      this.#heads.clear();
      const retry = this.#newBatch();
      try {
        await this.#prepare(retry, left);
        if (retry.size === 0) return;
        const outcome = await this.#written(retry, this.#size);
        if (outcome.ok) {
          this.#settle(retry, outcome);
          return;
        }
        failure = outcome.err;
        left = retry.pendings;
      } catch (e) {
        failure = e;
        break;
      }
    }
    const refused = refusal(failure);
    for (const pending of left) pending.reject(refused);
  }

  /** Whether another writer appended into one of these drafts' sessions since we last read its head. */
  async #headsMoved(pendings: readonly Pending[]): Promise<boolean> {
    for (const id of new Set(pendings.map((p) => p.draft.sessionId))) {
      const known = this.#heads.get(id);
      if (known === undefined) continue;
      const stored = await this.#store.sessionHead(id).catch(() => null);
      if (stored && (stored.nextSeq !== known.nextSeq || stored.lastHash !== known.lastHash)) return true;
    }
    return false;
  }

  /** Identities are usually one shared object per session: encode each once. */
  #encodedIdentity(identity: Identity): string {
    let encoded = this.#identities.get(identity);
    if (encoded === undefined) {
      encoded = encodeIdentity(identity);
      this.#identities.set(identity, encoded);
    }
    return encoded;
  }

  /** A session's head as the store has it: one not known here (new, forgotten, or after a resync). */
  async #loadHead(sessionId: string): Promise<Head> {
    const stored = await this.#store.sessionHead(sessionId);
    return stored ? { nextSeq: stored.nextSeq, lastHash: stored.lastHash } : NEW_SESSION_HEAD;
  }

  /** Forgets a finished session's head (it is reloaded from the store if ever needed again). */
  forget(sessionId: string): void {
    this.#heads.delete(sessionId);
  }
}

function refusal(err: unknown): VigilError {
  return err instanceof VigilError
    ? err
    : new VigilError('record_failed', 'the event store rejected the write', { cause: err });
}

/** A draft whose payload cannot be encoded is refused alone; its session's head stays as it was. */
function addOrRefuse(batch: PreparedBatch, pending: Pending, head: Head): void {
  try {
    batch.add(pending, head);
  } catch (err) {
    pending.reject(refusal(err));
  }
}
