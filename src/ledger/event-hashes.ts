// The checks of one event that need nothing but the event itself: its header hashes to its stored
// hash, its subject column agrees with the identity that was hashed, its payload hashes to its
// payload hash. Verification runs them on its own thread or in worker threads (verify-workers.ts);
// both run this code, so both judge every event alike.
import { hash as oneShotHash } from 'node:crypto';
import type { Identity } from '../core/events.js';
import type { RawEventRow } from '../core/ports.js';
import { chainHashOf, encodeHeaderIn, encodeIdentity, type HeaderFrame, headerFrame } from './chain.js';
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

/** What a session's events repeat, kept while they keep repeating it: see EventHashes.#frameOf. */
interface SessionFrame {
  readonly connection: string;
  /** The identity as stored. */
  readonly identity: string;
  /** Null when the identity is not a JSON object: every event naming it fails as header_changed. */
  readonly parsed: ParsedIdentity | null;
  readonly header: HeaderFrame | null;
}

/** The identity column's members that encodeIdentity puts in the header (tokenId as token_id). */
const HASHED_IDENTITY_MEMBERS: ReadonlySet<string> = new Set(['subject', 'kind', 'groups', 'tokenId']);

/** Past this many sessions or identities a cache starts afresh: memory stays bounded on any log. */
const CACHE_LIMIT = 10_000;

export class EventHashes {
  /** By the identity's stored text: a session's events repeat it. */
  readonly #identities = new Map<string, ParsedIdentity | null>();
  /** By session id: the header parts its last event checked had, encoded. */
  readonly #frames = new Map<string, SessionFrame>();

  /**
   * The first thing wrong with the event by itself, or null when it hashes as stored. `payload`
   * false: the header alone, for an event outside `--session`/`--since` (its payload is not rehashed,
   * but the session id and time that left it out are the hashed ones, not columns a writer of the
   * store moved it out with).
   */
  check(row: RawEventRow, payload = true): EventHashFinding | null {
    // The payload is hashed first, but judged last: a changed header is the finding either way.
    const payloadIntact =
      !payload || row.payload === null || oneShotHash('sha256', row.payload, 'hex') === row.payloadHash;
    const frame = this.#frameOf(row);
    const identity = frame.parsed;
    const header =
      frame.header &&
      // A payload hash equal to one just computed is lowercase hex: nothing in it to escape.
      encodeHeaderIn(
        frame.header,
        row.type,
        row.seq,
        row.time,
        row.payloadHash,
        payload && row.payload !== null && payloadIntact,
      );
    if (!header || chainHashOf(row.prevHash, header) !== row.hash) return 'header_changed';
    // The denormalised subject column is no part of the header: judged with the payload, in depth.
    if (payload && row.subject !== null && row.subject !== identity!.subject) return 'subject_changed';
    return payloadIntact ? null : 'payload_changed';
  }

  /**
   * The session's frame as this event's header needs it: the one kept for the session when the
   * event names the same connection and identity text (nearly always), else encoded afresh.
   */
  #frameOf(row: RawEventRow): SessionFrame {
    const kept = this.#frames.get(row.sessionId);
    if (kept !== undefined && kept.connection === row.connection && kept.identity === row.identity)
      return kept;
    const parsed = this.#identity(row.identity);
    const frame: SessionFrame = {
      connection: row.connection,
      identity: row.identity,
      parsed,
      header: parsed && headerFrame(row.sessionId, row.connection, parsed.encoded),
    };
    if (this.#frames.size > CACHE_LIMIT) this.#frames.clear();
    this.#frames.set(row.sessionId, frame);
    return frame;
  }

  #identity(raw: string): ParsedIdentity | null {
    let cached = this.#identities.get(raw);
    if (cached !== undefined) return cached;
    try {
      const value = JSON.parse(raw) as Identity;
      // Only the one spelling JSON.stringify writes: a duplicated member (which JSON.parse resolves
      // to the last, other parsers to the first) would let two readers see two people. And only the
      // members the header hashes: another (a `name`, a `token_id` beside no `tokenId`) would reach
      // the API and SIEM sinks with the event, covered by nothing.
      cached =
        typeof value === 'object' &&
        value !== null &&
        !Array.isArray(value) &&
        Object.keys(value).every((key) => HASHED_IDENTITY_MEMBERS.has(key)) &&
        JSON.stringify(value) === raw
          ? { encoded: encodeIdentity(value), subject: value.subject }
          : null;
    } catch {
      cached = null;
    }
    if (this.#identities.size > CACHE_LIMIT) this.#identities.clear();
    this.#identities.set(raw, cached);
    return cached;
  }
}
