// Offline verification of the whole ledger: every session chain, every payload against its hash,
// the global index, the Merkle root at every checkpoint, every checkpoint's signature, and the
// anchor against the stored checkpoints. Stops at the first fault and names it.
// A payload may be missing only where a recorded purge (a `ledger.purged` event later in the log)
// names its event: anyone who can write the database could otherwise erase answers unseen.
// Consistency between consecutive checkpoints follows from recomputing each root from the same
// stream of leaves: a later root is only accepted over the very leaves the earlier one covered.
// On a long log the per-event work runs in worker threads (verify-parallel.ts): either on rows this
// thread reads, or on ranges each worker reads itself, summarised per session for this thread to
// stitch (verify-range.ts). What depends on order across batches stays on this thread, in log
// order, and any batch that is not plainly intact is checked here row by row: the report is the
// same either way.
import type { EventSource, RawEventRow, SignedCheckpoint, Store } from '../core/ports.js';
import { parseAnchor } from './anchor.js';
import { checkCheckpointSignature } from './checkpoint.js';
import { EventHashes, inDepth } from './event-hashes.js';
import { PURGE_RECORD_TYPE, storeEventSource } from './event-source.js';
import type { LedgerFault } from './faults.js';
import { CompactRange, type Subtree } from './merkle.js';
import { checkAnchor } from './verify-anchor.js';
import type { BatchCheck } from './verify-batch.js';
import { Fault, fail } from './verify-fault.js';
import { workersFor } from './verify-parallel.js';
import { PurgeRecordsRead } from './verify-purges.js';
import {
  type CoverageRecords,
  type RangeCheck,
  type RangeSummary,
  sessionEnd,
  sessionStart,
} from './verify-range.js';
import type { VerifyOptions, VerifyReport } from './verify-report.js';
import { SessionChains } from './verify-sessions.js';
import { type RangeTaker, streamParallel, streamRanges, streamSequential } from './verify-stream.js';
import type { VerifyWorkers } from './verify-workers.js';

export type { ParallelOptions } from './verify-parallel.js';
export type { VerifyOptions, VerifyReport } from './verify-report.js';

/**
 * Rows per read and per worker message: a batch in flight (about 0.5 MB of rows) stays small for
 * V8's young generation, while reads and messages stay few. On the bench, 1,000 verified faster
 * than 5,000 with a worker (less garbage collection) and no slower without.
 */
const BATCH_SIZE = 1000;

export async function verifyStore(store: Store, options: VerifyOptions): Promise<VerifyReport> {
  return verifyLedger(storeEventSource(store), await store.listCheckpoints(), options);
}

export async function verifyLedger(
  source: EventSource,
  storedCheckpoints: readonly SignedCheckpoint[],
  options: VerifyOptions,
): Promise<VerifyReport> {
  const run = new Verification(source, storedCheckpoints, options);
  return run.run();
}

class Verification implements RangeTaker {
  readonly #sessions = new SessionChains();
  readonly #hashes = new EventHashes();
  readonly #range = new CompactRange();
  readonly #roots = new Map<number, string>();
  readonly #checkpoints: readonly SignedCheckpoint[];
  readonly #checkSizes: number[];
  readonly #storedBySize = new Map<number, SignedCheckpoint>();
  /**
   * Every stored checkpoint of each size. The schema allows one per size, but whoever rewrites the
   * database can drop that constraint: each one is checked, or a second checkpoint of a size (the
   * honest one a witness cosigned, beside a rewritten one) would be taken as held unchecked.
   */
  readonly #allBySize = new Map<number, SignedCheckpoint[]>();
  readonly #anchor: ReturnType<typeof parseAnchor> | null | undefined;
  readonly #notes: string[] = [];
  #nextCheck = 0;
  #events = 0;
  #deep = 0;
  #purged = 0;
  /** The log's size before the session records were read: each record counts at least its session's events among these. */
  #loggedBefore = 0;
  readonly #purges: PurgeRecordsRead;

  constructor(
    readonly source: EventSource,
    checkpoints: readonly SignedCheckpoint[],
    readonly options: VerifyOptions,
  ) {
    this.#purges = new PurgeRecordsRead(source);
    this.#checkpoints = [...checkpoints].sort((a, b) => a.size - b.size);
    for (const cp of this.#checkpoints) {
      this.#storedBySize.set(cp.size, cp);
      this.#allBySize.set(cp.size, [...(this.#allBySize.get(cp.size) ?? []), cp]);
    }
    this.#anchor =
      options.anchorText === undefined
        ? undefined
        : options.anchorText === null
          ? null
          : parseAnchor(options.anchorText);
    const sizes = new Set(this.#checkpoints.map((cp) => cp.size));
    for (const cp of this.#anchor?.checkpoints ?? []) sizes.add(cp.size);
    this.#checkSizes = [...sizes].sort((a, b) => a - b);
  }

  async run(): Promise<VerifyReport> {
    // Workers load their code while the session and purge records are read (a scan of the log).
    const workers = workersFor(this.source, this.options, this.options.parallel).catch(() => null);
    try {
      // The session records are read before the log: a gateway appending while this runs only
      // adds events after them, so the log can hold more than they say, never less (a truncation).
      // Sessions that began before the records were read must have one.
      const loggedBefore = await this.source.count();
      this.#loggedBefore = loggedBefore;
      const sessionRecords = await this.source.sessionRecords();
      await this.#purges.read(false);
      this.#checkNoLogSizes();
      await this.#stream(await workers);
      this.#purges.checkAllReached();
      this.#sessions.checkRecords(sessionRecords, loggedBefore);
      this.#checkCheckpointsBeyondLog();
      this.#checkAnchor();
      const unsigned = this.#purges.notCheckpointedNote(this.#checkpoints.at(-1)?.size ?? 0);
      if (unsigned !== null) this.#notes.push(unsigned);
      return this.#report(null);
    } catch (err) {
      if (err instanceof Fault) return this.#report(err.fault);
      throw err;
    } finally {
      await (await workers)?.close();
    }
  }

  get taken(): number {
    return this.#events;
  }

  get purgeRereads(): number {
    return this.#purges.rereads;
  }

  /** The purge records missing payloads are judged by now (their generation: purgeRereads). */
  get coverageRecords(): CoverageRecords {
    return this.#purges.records;
  }

  async #stream(workers: VerifyWorkers | null): Promise<void> {
    const { onProgress } = this.options;
    const batchSize = this.options.batchSize ?? BATCH_SIZE;
    const total = onProgress ? await this.source.count() : 0;
    const stream = { batchSize, onBatch: onProgress && (() => onProgress(this.#events, total)) };
    this.#reachCheckpoints(null);
    if (workers === null) return streamSequential(this.source, this, stream);
    if (workers.reading) return streamRanges(this.source, this, workers, this.#checkSizes, stream);
    return streamParallel(this.source, this, workers, this.#checkSizes, stream);
  }

  /**
   * The events of a batch in log order. Those a worker vouched for (`check.vouched`) skip the
   * stateless checks and their Merkle leaves, which the worker did; the rest are checked here in
   * full, so a fault is found at the same event, with the same counts, as without workers.
   */
  async take(rows: readonly RawEventRow[], check: BatchCheck | null): Promise<void> {
    const vouched = check?.vouched ?? 0;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      if (this.#purges.uncovered(row)) await this.#purges.read(true);
      this.#event(row, inDepth(row, this.options), i < vouched);
      if (i + 1 === vouched) for (const subtree of check!.subtrees) this.#range.appendSubtree(subtree);
      this.#reachCheckpoints(check);
    }
  }

  /** `vouched`: a worker found the event's hashes as stored and took its Merkle leaf. */
  #event(row: RawEventRow, deep: boolean, vouched: boolean): void {
    const index = this.#events;
    if (row.index !== index) {
      fail(
        'index_gap',
        `the log skips from index ${index - 1} to ${row.index}: event ${index} is missing or moved`,
        {
          index,
        },
      );
    }
    const state = this.#sessions.of(row.sessionId);
    const at = { index, sessionId: row.sessionId, seq: row.seq };
    if (row.seq !== state.nextSeq) {
      fail(
        'seq_gap',
        `event ${index} has seq ${row.seq} in session ${row.sessionId}, expected ${state.nextSeq}`,
        at,
      );
    }
    if (row.prevHash !== state.lastHash) {
      fail(
        'chain_broken',
        `event ${index} does not link to the previous event of session ${row.sessionId}`,
        at,
      );
    }
    const purgeRecord = row.type === PURGE_RECORD_TYPE;
    if (purgeRecord) this.#purges.reach(row, at);
    // Purge records are always checked in depth: the coverage of every missing payload rests on them.
    // Every other event's header is rehashed too, its payload only in depth: the session id and time
    // that put an event outside --session/--since must be the hashed ones, or a writer of the store
    // could backdate an event's time column past --since (or move a session's last event into
    // another session) and change it unseen.
    if (deep) this.#deep++;
    switch (vouched ? null : this.#hashes.check(row, deep || purgeRecord)) {
      case 'header_changed':
        fail(
          'hash_mismatch',
          `event ${index} does not hash to its stored hash: a header column was changed`,
          at,
        );
        break;
      case 'subject_changed':
        fail('hash_mismatch', `event ${index}'s subject column disagrees with its hashed identity`, at);
        break;
      case 'payload_changed':
        fail('payload_mismatch', `event ${index}'s payload does not match its payload hash`, {
          ...at,
          eventType: row.type,
        });
    }
    // Whatever the depth: telling whether a payload is there costs nothing.
    if (row.payload === null) {
      if (row.payloadObject) {
        fail(
          'payload_object_missing',
          `event ${index} (${row.type}, session ${row.sessionId} seq ${row.seq}) keeps its payload in object storage as ${row.payloadObject}, and the configured object storage does not hold it`,
          { ...at, eventType: row.type },
        );
      }
      if (purgeRecord || !this.#purges.covers(index, row.time)) {
        const why = purgeRecord
          ? 'a purge record is never purged'
          : 'no recorded purge (ledger.purged) names it';
        fail(
          'payload_missing',
          `event ${index} (${row.type}, session ${row.sessionId} seq ${row.seq}) has no payload and ${why}`,
          { ...at, eventType: row.type },
        );
      }
      this.#purged++;
    }
    if (!vouched) {
      try {
        this.#range.appendEventHash(row.hash);
      } catch {
        fail('hash_mismatch', `event ${index}'s stored hash is not 64 hex characters`, at);
      }
    }
    // In depth, the payload was hashed above (or by the worker that vouched for the row).
    if (row.seq === 0) state.start = sessionStart(row, index, deep);
    state.nextSeq = row.seq + 1;
    if (index < this.#loggedBefore) state.before = state.nextSeq;
    state.lastHash = row.hash;
    if (row.type === 'session.end') {
      state.ended = true;
      state.ends.push(sessionEnd(row, index, deep));
    }
    this.#events++;
  }

  /**
   * A range a worker read and vouched for, taken whole, but only when nothing in it can be a fault
   * here either: its sessions continue their chains where they stand, its purge records are as
   * read ahead, the checkpoints inside it verify, and it was judged by the purge records this
   * thread holds now. Otherwise nothing is taken and false returned: the caller reads the range and
   * takes it row by row, so the fault is found and counted exactly as without workers.
   */
  takeRange(check: RangeCheck): boolean {
    const summary = check.vouched;
    if (summary === null || check.start !== this.#events || summary.coverage !== this.#purges.rereads) {
      return false;
    }
    if (!this.#sessions.continuedBy(summary.sessions)) return false;
    if (!summary.purgeRecords.every((r) => this.#purges.asRead(r.index, r.payload))) return false;
    const end = check.start + check.read;
    // A range across the log's size when the records were read is taken row by row: each session's
    // events before that point are counted exactly (SessionState.before), a summary has only its last.
    if (check.start < this.#loggedBefore && end > this.#loggedBefore) return false;
    const rootsInside = this.#rootsInside(end, summary);
    if (rootsInside === null) return false;
    this.#sessions.extend(summary.sessions, end <= this.#loggedBefore);
    this.#purges.reachAll(summary.purgeRecords);
    this.#deep += summary.inDepth;
    this.#purged += summary.purged;
    for (const [size, root] of rootsInside) this.#roots.set(size, root);
    this.#nextCheck += rootsInside.size;
    for (const subtree of summary.subtrees) this.#range.appendSubtree(subtree);
    this.#events = end;
    // A checkpoint at the range's end is checked as after any event, and may fail with every count in.
    this.#reachCheckpoints(null);
    return true;
  }

  /**
   * The roots of the checkpoint sizes strictly inside a range (the next ones to reach), or null when
   * a stored checkpoint among them does not verify: the row-by-row pass then stops there.
   */
  #rootsInside(end: number, summary: RangeSummary): Map<number, string> | null {
    const roots = new Map<number, string>();
    for (let next = this.#nextCheck; next < this.#checkSizes.length; next++) {
      const size = this.#checkSizes[next]!;
      if (size >= end) break;
      const before = summary.prefixes.get(size);
      if (before === undefined) return null;
      const root = this.#rootWith(before);
      const stored = this.#allBySize.get(size) ?? [];
      if (
        stored.some((cp) => cp.root !== root || checkCheckpointSignature(cp, this.options.keyring) !== 'ok')
      )
        return null;
      roots.set(size, root);
    }
    return roots;
  }

  /** Checks every checkpoint (stored or anchored) whose size the log has just reached. */
  #reachCheckpoints(check: BatchCheck | null): void {
    while (this.#nextCheck < this.#checkSizes.length && this.#checkSizes[this.#nextCheck] === this.#events) {
      const size = this.#checkSizes[this.#nextCheck++]!;
      const root = this.#rootAt(size, check);
      this.#roots.set(size, root);
      for (const cp of this.#allBySize.get(size) ?? []) {
        this.#checkSignature(cp);
        if (cp.root !== root) {
          fail(
            'root_mismatch',
            `the log's first ${size} events do not hash to the root checkpoint ${size} signed`,
            {
              checkpointSize: size,
            },
          );
        }
      }
    }
  }

  /** Inside a batch a worker hashed, the root is this range plus the batch's subtrees before `size`. */
  #rootAt(size: number, check: BatchCheck | null): string {
    if (size === this.#range.size) return this.#range.rootHex();
    const before = check?.prefixes.get(size);
    if (before === undefined) throw new Error(`verify: no Merkle subtrees for checkpoint ${size}`);
    return this.#rootWith(before);
  }

  /** The root of the log taken so far followed by a worker's subtrees (leaves it has not taken yet). */
  #rootWith(subtrees: readonly Subtree[]): string {
    const range = this.#range.clone();
    for (const subtree of subtrees) range.appendSubtree(subtree);
    return range.rootHex();
  }

  #checkSignature(cp: SignedCheckpoint): void {
    const check = checkCheckpointSignature(cp, this.options.keyring);
    if (check === 'unknown_key') {
      fail('unknown_key', `checkpoint ${cp.size} is signed by key ${cp.keyId}, which is not in the keyring`, {
        checkpointSize: cp.size,
      });
    }
    if (check === 'signature_invalid') {
      fail('signature_invalid', `checkpoint ${cp.size}'s signature does not verify with key ${cp.keyId}`, {
        checkpointSize: cp.size,
      });
    }
  }

  /**
   * A stored checkpoint whose size no log can have (negative, or not an integer: the INTEGER column
   * takes -1) is never reached in the stream, and, sizes taken in order, neither is any after it:
   * until 6 December one such row left every stored root unchecked, and the anchor's lines, matched to
   * their rows, then read as a rollback of a store whose events still matched them
   * (test/ledger/attacker-dec6-checkpoint-size.test.ts). Named first, by its signature.
   */
  #checkNoLogSizes(): void {
    for (const cp of this.#checkpoints) {
      if (Number.isSafeInteger(cp.size) && cp.size >= 0) continue;
      this.#checkSignature(cp);
      fail('root_mismatch', `checkpoint ${cp.size} is signed, but no log has ${cp.size} events`, {
        checkpointSize: cp.size,
      });
    }
  }

  #checkCheckpointsBeyondLog(): void {
    for (const cp of this.#checkpoints) {
      if (cp.size <= this.#events) continue;
      this.#checkSignature(cp);
      fail('log_truncated', `checkpoint ${cp.size} is signed but the log holds only ${this.#events} events`, {
        index: this.#events,
        checkpointSize: cp.size,
      });
    }
  }

  #checkAnchor(): void {
    if (this.#anchor === undefined) {
      this.#notes.push('the anchor was not checked');
      return;
    }
    this.#notes.push(
      ...checkAnchor({
        anchor: this.#anchor,
        stored: this.#checkpoints,
        storedBySize: this.#storedBySize,
        roots: this.#roots,
        events: this.#events,
        keyring: this.options.keyring,
      }),
    );
  }

  #report(fault: LedgerFault | null): VerifyReport {
    const latest = this.#checkpoints.at(-1) ?? null;
    return {
      ok: fault === null,
      fault,
      events: this.#events,
      checkedInDepth: this.#deep,
      sessions: this.#sessions.size,
      purged: this.#purged,
      purgeRecords: this.#purges.reached,
      incompleteSessions: this.#sessions.incomplete(),
      checkpoints: this.#checkpoints.length,
      latestCheckpoint: latest,
      notCheckpointed: Math.max(0, this.#events - (latest?.size ?? 0)),
      anchorLines: this.#anchor ? this.#anchor.checkpoints.length : this.#anchor === null ? 0 : null,
      notes: this.#notes,
      ...(this.options.sessionId === undefined
        ? {}
        : { sessionEvents: this.#sessions.found(this.options.sessionId) }),
    };
  }
}
