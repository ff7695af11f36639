// What a verification worker that reads its own range of the log (verify-stream.ts streamRanges)
// makes of it: every check of the sequential verifier that the range alone can answer (index
// continuity, each session's seq and prev-hash links inside the range, header and payload hashes,
// purge coverage of missing payloads, the Merkle leaves as subtrees), and a summary of each
// session's first and last event for the verifier's thread to stitch onto the chains before it.
// It judges nothing: at the first row it cannot vouch for it gives up on the whole range, and the
// verifier's thread reads and checks that range itself with the sequential code, which names the
// fault exactly as it does without workers.
import type { PurgePlan, RawEventRow } from '../core/ports.js';
import { type Depth, type EventHashes, inDepth } from './event-hashes.js';
import { PURGE_RECORD_TYPE } from './event-source.js';
import { type DigestText, leafTextFromHex, type Subtree } from './merkle.js';
import { MerklePieces } from './merkle-pieces.js';
import { regularRow } from './packed-rows.js';
import type { PurgeCoverage } from './purge-record.js';

/** The well-formed purge records, by their log index: what a worker judges missing payloads by. */
export type CoverageRecords = readonly (PurgePlan & { readonly index: number })[];

/**
 * A session's first event (seq 0) as the log holds it: what its session record must repeat. The
 * identity as stored; its hash covers it when the event is checked in depth.
 */
export interface SessionStart {
  readonly sessionId: string;
  readonly index: number;
  readonly connection: string;
  readonly identity: string;
  readonly time: string;
  /**
   * The protocol a session.start names; undefined when the first event is another type, names
   * none, or its payload was not hashed here (purged, or outside `--session`/`--since`).
   */
  readonly protocol: string | undefined;
}

/** A session.end as the log holds it: the record's `ended_at` and `end_reason` repeat the last one. */
export interface SessionEnd {
  readonly sessionId: string;
  readonly index: number;
  readonly time: string;
  /** The reason it gives (null: none); undefined when its payload was not hashed here. */
  readonly reason: string | null | undefined;
}

/** Each session of a range, in the order of its first event there: where it starts and ends. */
export interface SessionRuns {
  readonly ids: string[];
  readonly firstSeqs: number[];
  /** The prev-hash of the session's first event in the range: the hash the chain must end on before. */
  readonly firstPrevHashes: string[];
  readonly lastSeqs: number[];
  readonly lastHashes: string[];
  /** Whether a session.end is among the session's events in the range. */
  readonly ended: boolean[];
  /** The sessions that begin in the range (their seq 0 is in it): few, so only those are sent. */
  readonly starts: SessionStart[];
  /** The range's session.end events, in log order. */
  readonly ends: SessionEnd[];
}

export interface RangeSummary {
  /** The generation of the purge records the missing payloads were judged by. */
  readonly coverage: number;
  /** Events rehashed because they are in depth (as VerifyReport.checkedInDepth counts them). */
  readonly inDepth: number;
  /** Events whose payload is missing and covered by a purge record. */
  readonly purged: number;
  /** The purge records in the range as read, in log order. */
  readonly purgeRecords: readonly { readonly index: number; readonly payload: string }[];
  readonly sessions: SessionRuns;
  /** The range's Merkle leaves as subtrees, for the verifier's CompactRange (appendSubtree in order). */
  readonly subtrees: readonly Subtree[];
  /** For each checkpoint size inside the range: the subtrees of its events before it. */
  readonly prefixes: ReadonlyMap<number, readonly Subtree[]>;
}

export interface RangeCheck {
  readonly start: number;
  /** Rows read from `start`: fewer than asked at the end of the log. */
  readonly read: number;
  /** What the worker vouches for, or null when it cannot vouch for every row it read. */
  readonly vouched: RangeSummary | null;
}

export interface RangeContext {
  readonly depth: Depth;
  readonly hashes: EventHashes;
  /** Asked in increasing index order from `start` on. */
  readonly coverage: PurgeCoverage;
  readonly generation: number;
  /** Ascending: the sizes whose roots the verifier needs. */
  readonly checkpointSizes: readonly number[];
}

export function checkRange(rows: readonly RawEventRow[], start: number, context: RangeContext): RangeCheck {
  const vouched = summarise(rows, start, context);
  return { start, read: rows.length, vouched };
}

function summarise(rows: readonly RawEventRow[], start: number, context: RangeContext): RangeSummary | null {
  const { depth, hashes, coverage } = context;
  const sessions: SessionRuns = {
    ids: [],
    firstSeqs: [],
    firstPrevHashes: [],
    lastSeqs: [],
    lastHashes: [],
    ended: [],
    starts: [],
    ends: [],
  };
  const position = new Map<string, number>();
  const purgeRecords: { index: number; payload: string }[] = [];
  const leaves: DigestText[] = [];
  let deep = 0;
  let purged = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const index = start + i;
    if (row.index !== index || !regularRow(row)) return null;
    let at = position.get(row.sessionId);
    if (at === undefined) {
      at = sessions.ids.length;
      position.set(row.sessionId, at);
      sessions.ids.push(row.sessionId);
      sessions.firstSeqs.push(row.seq);
      sessions.firstPrevHashes.push(row.prevHash);
      sessions.lastSeqs.push(row.seq);
      sessions.lastHashes.push(row.hash);
      sessions.ended.push(false);
      if (row.seq === 0) sessions.starts.push(sessionStart(row, index, inDepth(row, depth)));
    } else {
      if (row.seq !== sessions.lastSeqs[at]! + 1 || row.prevHash !== sessions.lastHashes[at]) return null;
      sessions.lastSeqs[at] = row.seq;
      sessions.lastHashes[at] = row.hash;
    }
    if (row.type === 'session.end') {
      sessions.ended[at] = true;
      sessions.ends.push(sessionEnd(row, index, inDepth(row, depth)));
    }
    const purgeRecord = row.type === PURGE_RECORD_TYPE;
    const rehash = inDepth(row, depth);
    if (rehash) deep++;
    // Every header is rehashed: the session and time that put an event outside the depth are the
    // hashed ones. Payloads only in depth (and a purge record's, whose coverage others rest on).
    try {
      if (hashes.check(row, rehash || purgeRecord) !== null) return null;
    } catch {
      return null;
    }
    if (row.payload === null) {
      if (purgeRecord || row.payloadObject || !coverage.covers(index, row.time)) return null;
      purged++;
    } else if (purgeRecord) {
      purgeRecords.push({ index, payload: row.payload });
    }
    const leaf = leafTextFromHex(row.hash);
    if (leaf === null) return null;
    leaves.push(leaf);
  }
  const pieces = new MerklePieces(start, leaves);
  const prefixes = new Map<number, readonly Subtree[]>();
  for (const size of context.checkpointSizes) {
    if (size > start && size < pieces.end) prefixes.set(size, pieces.subtrees(size));
  }
  return {
    coverage: context.generation,
    inDepth: deep,
    purged,
    purgeRecords,
    sessions,
    subtrees: pieces.subtrees(),
    prefixes,
  };
}

/** `hashed`: the row's payload is checked against its hash before the verifier takes the row. */
export function sessionStart(row: RawEventRow, index: number, hashed: boolean): SessionStart {
  const protocol = row.type === 'session.start' ? payloadString(row, hashed, 'protocol') : undefined;
  return {
    sessionId: row.sessionId,
    index,
    connection: row.connection,
    identity: row.identity,
    time: row.time,
    protocol: protocol ?? undefined,
  };
}

export function sessionEnd(row: RawEventRow, index: number, hashed: boolean): SessionEnd {
  return {
    sessionId: row.sessionId,
    index,
    time: row.time,
    reason: payloadString(row, hashed, 'reason'),
  };
}

/**
 * A payload member as the stores copy it into the session record (a string, else null), read only
 * from a payload whose hash is checked: an unchecked one could be rewritten to match the record.
 */
function payloadString(row: RawEventRow, hashed: boolean, name: string): string | null | undefined {
  if (!hashed || row.payload === null) return undefined;
  try {
    const value = (JSON.parse(row.payload) as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : null;
  } catch {
    return undefined;
  }
}
