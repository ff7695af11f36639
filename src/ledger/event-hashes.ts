// The checks of one event that need nothing but the event itself: its header hashes to its stored
// hash, its subject column agrees with the identity that was hashed, its payload hashes to its
// payload hash. Verification runs them on its own thread or in worker threads (verify-workers.ts);
// both run this code, so both judge every event alike.
import { hash as oneShotHash } from 'node:crypto';
import type { Identity } from '../core/events.js';
import type { RawEventRow } from '../core/ports.js';
import { chainHashOf, encodeHeaderWith, encodeIdentity } from './chain.js';
import { PURGE_RECORD_TYPE } from './event-source.js';

/** What is wrong with an event by itself; verify.ts words each as a fault. */
export type EventHashFinding = 'header_changed' | 'subject_changed' | 'payload_changed';

/** Which events are rehashed: `vigil verify --session/--since` check the others only as links and leaves. */
export interface Depth {
  readonly sessionId?: string | undefined;
  /** ISO time. */
  readonly since?: string | undefined;
}

export function inDepth(row: RawEventRow, depth: Depth): boolean {
  return (
    (depth.sessionId === undefined || row.sessionId === depth.sessionId) &&
    (depth.since === undefined || row.time >= depth.since)
  );
}

/** Purge records are always rehashed: the coverage of every missing payload rests on them. */
export function rehashed(row: RawEventRow, depth: Depth): boolean {
  return row.type === PURGE_RECORD_TYPE || inDepth(row, depth);
}

interface ParsedIdentity {
  readonly encoded: string;
  readonly subject: unknown;
}

export class EventHashes {
  /** By the identity's stored text: a session's events repeat it. */
  readonly #identities = new Map<string, ParsedIdentity | null>();

  /** The first thing wrong with the event by itself, or null when it hashes as stored. */
  check(row: RawEventRow): EventHashFinding | null {
    const identity = this.#identity(row.identity);
    const header =
      identity &&
      encodeHeaderWith(
        row.type,
        row.sessionId,
        row.seq,
        row.time,
        row.connection,
        identity.encoded,
        row.payloadHash,
      );
    if (!header || chainHashOf(row.prevHash, header) !== row.hash) return 'header_changed';
    if (row.subject !== null && row.subject !== identity!.subject) return 'subject_changed';
    if (row.payload !== null && oneShotHash('sha256', row.payload, 'hex') !== row.payloadHash) {
      return 'payload_changed';
    }
    return null;
  }

  #identity(raw: string): ParsedIdentity | null {
    let cached = this.#identities.get(raw);
    if (cached !== undefined) return cached;
    try {
      const value = JSON.parse(raw) as Identity;
      cached =
        typeof value === 'object' && value !== null && !Array.isArray(value)
          ? { encoded: encodeIdentity(value), subject: value.subject }
          : null;
    } catch {
      cached = null;
    }
    if (this.#identities.size > 10_000) this.#identities.clear();
    this.#identities.set(raw, cached);
    return cached;
  }
}
