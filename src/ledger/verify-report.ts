// What a verification is asked for, and what it answers: the options `vigil verify` and the
// console's /verify pass in, and the report they print.
import type { SignedCheckpoint } from '../core/ports.js';
import type { LedgerFault } from './faults.js';
import type { Keyring } from './keyring.js';
import type { ParallelOptions } from './verify-parallel.js';

export interface VerifyOptions {
  readonly keyring: Keyring;
  /** The anchor file's text; null when the file is missing; undefined to skip the cross-check. */
  readonly anchorText?: string | null;
  /** Check this session's events in depth (the others only as Merkle leaves and chain links). */
  readonly sessionId?: string;
  /** ISO time: check events from then on in depth (earlier ones only as leaves and links). */
  readonly since?: string;
  readonly onProgress?: (done: number, total: number) => void;
  readonly batchSize?: number;
  /** Worker threads for the per-event hashing (verify-parallel.ts); the report is the same either way. */
  readonly parallel?: ParallelOptions;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly fault: LedgerFault | null;
  /** Events read (all of the log when intact). */
  readonly events: number;
  /**
   * Events checked in depth: their payloads rehashed too (all of them without --session/--since).
   * Every event's header is rehashed either way.
   */
  readonly checkedInDepth: number;
  readonly sessions: number;
  /** Events whose payload a recorded purge removed: they verify by their payload hash. */
  readonly purged: number;
  /** Global indexes of the purge records (`ledger.purged` events) read. */
  readonly purgeRecords: readonly number[];
  /** Sessions with no session.end (still open, or cut short by a crash): not a fault. */
  readonly incompleteSessions: readonly string[];
  readonly checkpoints: number;
  readonly latestCheckpoint: SignedCheckpoint | null;
  /** Events after the latest checkpoint: nothing signed covers them yet. */
  readonly notCheckpointed: number;
  /** Anchor lines cross-checked, or null when the anchor was not checked. */
  readonly anchorLines: number | null;
  readonly notes: readonly string[];
  /**
   * With `sessionId`: that session's events found in the log read. 0 when the log holds none (a
   * session deleted whole, or a mistyped id): nothing of it was checked, though the log verified.
   */
  readonly sessionEvents?: number;
}
