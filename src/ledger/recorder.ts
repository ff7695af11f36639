// The recorder turns masked event drafts into ledger entries and makes them durable.
// Group commit: drafts that arrive while a write is in flight are written together in the next
// transaction, so many concurrent requests share one fsync. Sequence numbers, global indexes and
// hashes are assigned at flush time from the committed heads, so a failed write leaves no gap; a
// store shared by several writers may move the batch to other global indexes (it returns them).
// An event nobody waits for (a statement's result, terminal output) may be deferred: it is committed
// with the next batch someone does wait for, or within DEFER_MS, so that a client in a loop pays
// one commit per statement (its action) rather than two.

import { VigilError } from '../core/errors.js';
import type { EventDraft, Identity, RecordedEvent } from '../core/events.js';
import type { SessionMeta, Store } from '../core/ports.js';
import { canonicalJson, rememberCanonical } from './canonical.js';
import { chainHashOf, encodeHeaderWith, encodeIdentity, GENESIS_HASH, sha256Hex } from './chain.js';

/** How long a deferred event may wait for company before it is committed on its own. */
export const DEFER_MS = 5;

export interface AppendOptions {
  /** Nobody waits for this event: it may ride with the next batch (within DEFER_MS). */
  readonly deferred?: boolean;
}

interface Pending {
  readonly draft: EventDraft;
  readonly protocol: string | undefined;
  resolve(event: RecordedEvent): void;
  reject(err: unknown): void;
}

interface Head {
  nextSeq: number;
  lastHash: string;
}

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
    const batch = this.#queue;
    this.#queue = [];
    this.#urgent = false;
    try {
      const started = performance.now();
      const events = await this.#commitOrResync(batch);
      const seconds = (performance.now() - started) / 1000;
      for (let i = 0; i < batch.length; i++) batch[i]!.resolve(events[i]!);
      for (const listener of this.#listeners) listener(events, seconds);
    } catch (err) {
      const failure =
        err instanceof VigilError
          ? err
          : new VigilError('record_failed', 'the event store rejected the write', { cause: err });
      for (const pending of batch) pending.reject(failure);
    } finally {
      this.#flushing = false;
      if (this.#queue.length > 0) this.#schedule();
    }
  }

  /**
   * Another writer (the CLI recording an audit, another process on the same store) may have appended
   * since our last commit: the write then collides on its index. Re-read the log's head and the
   * session heads, and assign positions again, once.
   */
  async #commitOrResync(batch: readonly Pending[]): Promise<RecordedEvent[]> {
    try {
      return await this.#commit(batch);
    } catch (err) {
      const stored = await this.#store.ledgerSize().catch(() => this.#size);
      if (stored === this.#size) throw err;
      this.#size = stored;
      this.#heads.clear();
      return this.#commit(batch);
    }
  }

  async #commit(batch: readonly Pending[]): Promise<RecordedEvent[]> {
    this.#options.fence?.();
    const replica = this.#options.replica?.();
    // Heads of sessions not cached yet are read first, together, so the loop below never awaits.
    const missing = new Set<string>();
    for (const { draft } of batch) {
      if (!this.#heads.has(draft.sessionId)) missing.add(draft.sessionId);
    }
    const loaded = new Map<string, Head>();
    for (const id of missing) loaded.set(id, await this.#loadHead(id));
    // Work on copies of the heads: they become the committed heads only if the write succeeds.
    const heads = new Map<string, Head>();
    const sessions: SessionMeta[] = [];
    const events: RecordedEvent[] = new Array(batch.length);
    let index = this.#size;
    for (let i = 0; i < batch.length; i++) {
      const { draft, protocol } = batch[i]!;
      let head = heads.get(draft.sessionId);
      if (!head) {
        const committed = this.#heads.get(draft.sessionId) ?? loaded.get(draft.sessionId)!;
        head = { nextSeq: committed.nextSeq, lastHash: committed.lastHash };
        heads.set(draft.sessionId, head);
      }
      if (head.nextSeq === 0)
        sessions.push({
          id: draft.sessionId,
          protocol: protocol ?? 'unknown',
          ...(replica === undefined ? {} : { replica }),
        });
      const payloadText = canonicalJson(draft.payload);
      // The store encodes the payload again to write it: let it reuse this text.
      rememberCanonical(draft.payload, payloadText);
      const hashOfPayload = sha256Hex(payloadText);
      const seq = head.nextSeq;
      const header = encodeHeaderWith(
        draft.type,
        draft.sessionId,
        seq,
        draft.time,
        draft.connection,
        this.#encodedIdentity(draft.identity),
        hashOfPayload,
      );
      const hash = chainHashOf(head.lastHash, header);
      events[i] = {
        type: draft.type,
        sessionId: draft.sessionId,
        connection: draft.connection,
        identity: draft.identity,
        time: draft.time,
        payload: draft.payload,
        seq,
        index,
        payloadHash: hashOfPayload,
        prevHash: head.lastHash,
        hash,
      };
      head.nextSeq = seq + 1;
      head.lastHash = hash;
      index++;
    }
    const { firstIndex } = await this.#store.appendEvents(events, sessions);
    for (const [id, head] of heads) this.#heads.set(id, head);
    // A store shared by several writers numbers the batch itself (the hashes do not cover the
    // index): the events take the positions it gave them, in the same order.
    const placed =
      firstIndex === this.#size ? events : events.map((e, i) => ({ ...e, index: firstIndex + i }));
    this.#size = firstIndex + placed.length;
    return placed;
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

  async #loadHead(sessionId: string): Promise<Head> {
    const cached = this.#heads.get(sessionId);
    if (cached) return cached;
    const stored = await this.#store.sessionHead(sessionId);
    return stored
      ? { nextSeq: stored.nextSeq, lastHash: stored.lastHash }
      : { nextSeq: 0, lastHash: GENESIS_HASH };
  }

  /** Forgets a finished session's head (it is reloaded from the store if ever needed again). */
  forget(sessionId: string): void {
    this.#heads.delete(sessionId);
  }
}
