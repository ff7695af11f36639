// Signs a checkpoint of the global Merkle log at a short interval whenever it grew, writes it to
// the anchor file first (so a crash in between leaves the anchor ahead, never behind), then to the
// store, and optionally posts it to a webhook. The log's root is kept incrementally from the
// recorder's commits; at start it is rebuilt from the store.
import { setTimeout as sleep } from 'node:timers/promises';
import { fetch } from 'undici';
import type { RecordedEvent } from '../core/events.js';
import type { EventSource, SignedCheckpoint, Store } from '../core/ports.js';
import { AnchorFile } from './anchor.js';
import { checkCheckpointSignature, encodeCheckpointLine, signCheckpoint } from './checkpoint.js';
import { CheckpointLag, type LagStats } from './checkpoint-lag.js';
import { beyondLogError, logHoleError, splitAtLogEnd } from './checkpoint-tamper.js';
import { storeEventSource } from './event-source.js';
import { entryOf, Keyring, type LedgerSigningKey } from './keyring.js';
import { CompactRange } from './merkle.js';
import type { Recorder } from './recorder.js';
import { checkpointNote } from './tlog-checkpoint.js';

export interface CheckpointerOptions {
  readonly store: Store;
  readonly recorder: Recorder;
  readonly signer: LedgerSigningKey;
  /** Default 1000 ms. */
  readonly intervalMs?: number;
  /** Anchor file path (see anchorPath), or null for none (tests only: verification expects one). */
  readonly anchorFile: string | null;
  readonly webhook?: string;
  /** Reports failures that are not fatal (a webhook down, a checkpoint that could not be written). */
  readonly onError?: (err: unknown, what: 'checkpoint' | 'webhook') => void;
  readonly now?: () => number;
  /** A faster reader of stored events than the Store for rebuilding the root at start (StoreBundle.eventSource). */
  readonly source?: EventSource;
  /** The log's origin: each checkpoint is also signed as a C2SP tlog-checkpoint note under this name. */
  readonly origin?: string;
  /**
   * With several replicas on one store, one signs at a time: asked before each checkpoint, true
   * while this one holds the signer's lease. Without it this checkpointer always signs.
   */
  readonly lead?: () => Promise<boolean>;
}

const READ_BATCH = 10_000;
/** How long a stopping replica that does not sign waits for its last events to be covered. */
const HAND_OVER_MS = 5_000;

export class Checkpointer {
  readonly #options: CheckpointerOptions;
  readonly #range = new CompactRange();
  readonly #lag = new CheckpointLag();
  readonly #listeners: ((cp: SignedCheckpoint) => void)[] = [];
  #anchor: AnchorFile | null = null;
  /** Signed and anchored, not yet in the store. */
  #unstored: SignedCheckpoint | null = null;
  #lastSize = 0;
  #latestNote: string | null = null;
  /** A stored checkpoint not signed by this key, noted only once the log reaches its size with its root. */
  #unconfirmed: SignedCheckpoint | null = null;
  #behind = true;
  /** Sizes of stored rows found past the log's end (checkpoint-tamper.ts): never signed here. */
  readonly #taken = new Set<number>();
  /** The missing index last reported (checkpoint-tamper.ts), so a hole is reported once, not every tick. */
  #holeReported = -1;
  /** Whether this checkpointer signed last time it asked to lead (it always does without `lead`). */
  #leading = false;
  #timer: NodeJS.Timeout | null = null;
  /** A tick is asking the store for its log size (#probeStore). */
  #probing = false;
  /** The store's log size a probe could not read up to (a hole), so it is not read every tick. */
  #stuckAt = -1;
  #running: Promise<SignedCheckpoint | null> = Promise.resolve(null);
  #inFlight = 0;
  #webhooks = new Set<Promise<void>>();

  constructor(options: CheckpointerOptions) {
    this.#options = options;
    options.recorder.onCommit((events) => this.#committed(events));
  }

  /** Log size covered by the last checkpoint written. */
  get checkpointedSize(): number {
    return this.#lastSize;
  }

  /** Log size the incremental root has reached. */
  get size(): number {
    return this.#range.size;
  }

  get lag(): LagStats {
    return this.#lag.stats();
  }

  resetLag(): void {
    this.#lag.reset();
  }

  /** The latest checkpoint as a C2SP signed note (null before the first, or without an origin). */
  get latestNote(): string | null {
    return this.#latestNote;
  }

  onCheckpoint(listener: (cp: SignedCheckpoint) => void): void {
    this.#listeners.push(listener);
  }

  /** Rebuilds the root from the store, opens the anchor and starts the timer. */
  async start(): Promise<void> {
    const checkpoints = await this.#options.store.listCheckpoints();
    const last = checkpoints.at(-1);
    this.#lastSize = last?.size ?? 0;
    if (last) this.#noteForStored(last);
    await this.#catchUp();
    this.#refuseBeyondLog(checkpoints);
    if (this.#options.anchorFile && !this.#anchor)
      this.#anchor = await AnchorFile.open(this.#options.anchorFile);
    const interval = this.#options.intervalMs ?? 1000;
    this.#timer ??= setInterval(() => {
      if (this.#inFlight > 0 || this.#probing) return;
      const due = this.#range.size > this.#lastSize || this.#behind;
      (due ? this.checkpointNow() : this.#probeStore()).catch((err) =>
        this.#options.onError?.(err, 'checkpoint'),
      );
    }, interval);
    this.#timer.unref();
  }

  /** Stops the timer, checkpoints whatever is not yet covered, and closes the anchor. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    try {
      await this.checkpointNow();
      if (this.#options.lead && !this.#leading) await this.#handOver();
    } finally {
      await Promise.allSettled([...this.#webhooks]);
      await this.#anchor?.close();
      this.#anchor = null;
    }
  }

  /**
   * A replica that does not sign stops: what it recorded last must still be covered. It waits (a
   * bounded time) until the signer's checkpoints reach its last commit, or until the signer's lease
   * is free (the signer stopped too) and it signs the final checkpoint itself.
   */
  async #handOver(): Promise<void> {
    const until = performance.now() + HAND_OVER_MS;
    const keyring = new Keyring([entryOf(this.#options.signer)]);
    while (performance.now() < until) {
      // Only a row this key signed says the signer got there: a row anyone could write (its size
      // past the log's end) made this replica stop at once, its last events left unsigned.
      const latest = await this.#options.store.latestCheckpoint();
      const covered = latest && checkCheckpointSignature(latest, keyring) === 'ok' ? latest.size : 0;
      if (covered >= this.#options.recorder.size) return;
      if (await this.checkpointNow()) return;
      await sleep(100);
    }
  }

  /**
   * Events other writers appended to the store (the CLI's audit.viewed, another replica's commits)
   * never pass this recorder: with nothing of its own to seal, each tick asks the store how long
   * the log is, and reads and seals what it holds beyond the root. Until 7 December they waited,
   * unsigned, for this gateway's next own event. A size the last probe could not reach (a hole in
   * the log, reported once by #catchUp) is not read again until the log grows.
   */
  async #probeStore(): Promise<void> {
    this.#probing = true;
    try {
      const stored = await this.#options.store.ledgerSize();
      if (stored <= this.#range.size || stored === this.#stuckAt) return;
      this.#behind = true;
      await this.checkpointNow();
      this.#stuckAt = this.#range.size < stored ? stored : -1;
    } finally {
      this.#probing = false;
    }
  }

  /** Signs and writes a checkpoint now if the log grew since the last one; resolves to it (or null). */
  checkpointNow(): Promise<SignedCheckpoint | null> {
    this.#inFlight++;
    const next = this.#running.catch(() => null).then(() => this.#checkpoint());
    this.#running = next;
    return next.finally(() => {
      this.#inFlight--;
    });
  }

  async #checkpoint(): Promise<SignedCheckpoint | null> {
    if (!(await this.#mayLead())) return null;
    if (this.#behind) await this.#catchUp();
    // Only a newest stored row read on taking over can be past the log here (see #refuseBeyondLog).
    if (this.#lastSize > this.#range.size) this.#refuseBeyondLog(await this.#options.store.listCheckpoints());
    const now = this.#options.now ?? Date.now;
    await this.#storeUnstored(now);
    const size = this.#range.size;
    if (size <= this.#lastSize) return null;
    // A forged row holds this size: the store takes one row per size, so signing it would fail
    // every time and stall as surely. The next event moves the log past it.
    if (this.#taken.has(size)) return null;
    const cp = signCheckpoint(
      this.#options.signer,
      size,
      this.#range.rootHex(),
      new Date(now()).toISOString(),
    );
    if (this.#anchor) await this.#anchor.append(cp);
    this.#unstored = cp;
    await this.#options.store.appendCheckpoint(cp);
    this.#unstored = null;
    this.#accepted(cp, now());
    return cp;
  }

  /**
   * Another replica may have signed while this one did not lead: on taking over, continue from the
   * latest stored checkpoint and read the log from the store, so the next size is past it.
   */
  async #mayLead(): Promise<boolean> {
    const lead = this.#options.lead;
    if (!lead) return true;
    const leading = await lead();
    if (leading && !this.#leading) {
      const last = await this.#options.store.latestCheckpoint();
      if (last && last.size > this.#lastSize) {
        this.#lastSize = last.size;
        this.#noteForStored(last);
      }
      this.#behind = true;
    }
    this.#leading = leading;
    return leading;
  }

  /**
   * Once the log is read from the store: a stored checkpoint past its end is not built on. It is
   * reported (`ledger_tampered`) and left in the store, where `vigil verify` names it
   * (`log_truncated`), and sealing goes on from the newest stored checkpoint the log holds. Failing
   * closed instead (refusing every recording) would hand whoever can write one database row a way
   * to stop every protocol, while the record that shows the tampering is what sealing preserves.
   */
  #refuseBeyondLog(stored: readonly SignedCheckpoint[]): void {
    const logSize = this.#range.size;
    if (this.#lastSize <= logSize) return;
    const split = splitAtLogEnd(stored, logSize);
    if (split.beyond.length === 0) {
      // The newest row read on taking over is gone again: nothing past the log to report.
      this.#lastSize = split.within?.size ?? 0;
      return;
    }
    for (const size of split.beyond) this.#taken.add(size);
    this.#lastSize = split.within?.size ?? 0;
    // No note until this checkpointer signs one of its own (the next tick once the log grew): the
    // one held may be this key's signature over the refused row's size, replayed from a later
    // state of the store, and GET /checkpoint is better empty than vouching for a tree not there.
    this.#latestNote = null;
    this.#unconfirmed = null;
    this.#options.onError?.(beyondLogError(split, logSize), 'checkpoint');
  }

  /**
   * A checkpoint the anchor file holds but the store refused (the database was away) is stored as
   * it is before any other is signed: signing that size again would put a second, different line
   * for it in the store than in the anchor, which verification rightly reports as a mismatch.
   */
  async #storeUnstored(now: () => number): Promise<void> {
    const cp = this.#unstored;
    if (!cp) return;
    try {
      await this.#options.store.appendCheckpoint(cp);
    } catch (err) {
      // The write that failed may have committed before its answer was lost.
      const stored = await this.#options.store.listCheckpoints();
      if (!stored.some((c) => c.size === cp.size && c.signature === cp.signature)) throw err;
    }
    this.#unstored = null;
    this.#accepted(cp, now());
  }

  #accepted(cp: SignedCheckpoint, at: number): void {
    this.#lastSize = cp.size;
    this.#noteFor(cp);
    this.#lag.covered(cp.size, at);
    for (const listener of this.#listeners) listener(cp);
    if (this.#options.webhook) this.#post(this.#options.webhook, cp);
  }

  #noteFor(cp: SignedCheckpoint): void {
    const { origin, signer } = this.#options;
    if (origin) this.#latestNote = checkpointNote(signer, origin, cp.size, cp.root);
  }

  /**
   * The note of a checkpoint read from the store (at start, or on taking over from another replica).
   * A stored row is the database's word: whoever can write it could put any size and root there,
   * and the note is this key's signature over them, served at GET /checkpoint and sent to
   * witnesses. Until 6 December it was signed as read. Now it is signed at once only when this key
   * signed the row; otherwise (a key since rotated, or a forged row) once the log, read as far as
   * that size, hashes to its root; never when the log disagrees (reported) or is already past it.
   */
  #noteForStored(cp: SignedCheckpoint): void {
    this.#unconfirmed = null;
    if (checkCheckpointSignature(cp, new Keyring([entryOf(this.#options.signer)])) === 'ok') {
      this.#noteFor(cp);
      return;
    }
    this.#unconfirmed = cp;
    this.#confirmAt();
  }

  /** Notes the unconfirmed stored checkpoint once the root has reached its size, if they agree. */
  #confirmAt(): void {
    const cp = this.#unconfirmed;
    if (cp === null || this.#range.size < cp.size) return;
    this.#unconfirmed = null;
    // Past its size already (a replica whose own commits ran ahead): nothing to compare it with
    // here; this checkpointer's next checkpoint brings a note of its own.
    if (this.#range.size > cp.size) return;
    if (this.#range.rootHex() === cp.root) {
      this.#noteFor(cp);
      return;
    }
    this.#options.onError?.(
      new Error(
        `stored checkpoint ${cp.size} is not signed by the active key and its root is not the log's: no note signed for it (run vigil verify)`,
      ),
      'checkpoint',
    );
  }

  #committed(events: readonly RecordedEvent[]): void {
    const now = (this.#options.now ?? Date.now)();
    for (const e of events) {
      if (e.index === this.#range.size) {
        this.#range.appendEventHash(e.hash);
        if (this.#unconfirmed?.size === this.#range.size) this.#confirmAt();
      } else if (e.index > this.#range.size) this.#behind = true;
    }
    const last = events.at(-1);
    if (last) this.#lag.committed(last.index + 1, events.length, now);
  }

  /** Reads whatever the store has beyond the incremental root (at start, or after a missed commit). */
  async #catchUp(): Promise<void> {
    this.#behind = false;
    const source = this.#options.source ?? storeEventSource(this.#options.store);
    for (;;) {
      const events = await source.readEvents(this.#range.size, READ_BATCH, { payloads: false });
      let appended = 0;
      for (const e of events) {
        if (e.index !== this.#range.size) break;
        this.#range.appendEventHash(e.hash);
        if (this.#unconfirmed?.size === this.#range.size) this.#confirmAt();
        appended++;
      }
      if (appended === 0) {
        // Later events but not the next one: commits become visible in index order, so this is an
        // event deleted from the log. Nothing past it can be signed; until 6 December nothing said so.
        const next = events[0]?.index;
        if (next !== undefined && next > this.#range.size && this.#holeReported !== this.#range.size) {
          this.#holeReported = this.#range.size;
          this.#options.onError?.(logHoleError(this.#range.size, next), 'checkpoint');
        }
        return;
      }
    }
  }

  #post(url: string, cp: SignedCheckpoint): void {
    const sent = fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: encodeCheckpointLine(cp),
      // Not followed: a 301/302/303 would become a bodiless GET whose 2xx reads as stored, so the
      // outside copy would miss every checkpoint with no failure ever reported.
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    })
      .then(async (res) => {
        await res.body?.cancel();
        if (!res.ok) throw new Error(`anchor webhook answered ${res.status}`);
      })
      .catch((err) => this.#options.onError?.(err, 'webhook'))
      .finally(() => this.#webhooks.delete(sent));
    this.#webhooks.add(sent);
  }
}
