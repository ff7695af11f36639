// The verifier's view of every session's chain as far as the log has been taken: the seq and hash
// the session's next event must continue from. Events are taken one by one (the sequential checks
// in verify.ts), or a worker's whole range at once from its per-session summary (verify-range.ts):
// a range is stitched on only when each of its sessions continues exactly where its chain stands.
// Each session's first event is kept, to check the session records against once the log is read.
import type { SessionRecord } from '../core/ports.js';
import { GENESIS_HASH } from './chain.js';
import { fail } from './verify-fault.js';
import type { SessionEnd, SessionRuns, SessionStart } from './verify-range.js';

export interface SessionState {
  nextSeq: number;
  lastHash: string;
  ended: boolean;
  /** The session's seq 0 as taken, null until then. */
  start: SessionStart | null;
  /** Its session.end events taken, in log order (one, but an adopted session may get two). */
  ends: SessionEnd[];
  /**
   * Its events among the log's first `loggedBefore` (those in the log when the session records were
   * read): its record, written in the same transactions, counts at least these.
   */
  before: number;
}

export class SessionChains {
  /** In the order of each session's first event in the log (the report lists them so). */
  readonly #states = new Map<string, SessionState>();

  /** The session's state, a new chain from genesis when the log has not met it yet. */
  of(sessionId: string): SessionState {
    let state = this.#states.get(sessionId);
    if (!state) {
      state = { nextSeq: 0, lastHash: GENESIS_HASH, ended: false, start: null, ends: [], before: 0 };
      this.#states.set(sessionId, state);
    }
    return state;
  }

  /** Events of the session taken so far. */
  found(sessionId: string): number {
    return this.#states.get(sessionId)?.nextSeq ?? 0;
  }

  /** Whether each session of a range begins with the seq and prev-hash its chain stands at. */
  continuedBy(runs: SessionRuns): boolean {
    for (let i = 0; i < runs.ids.length; i++) {
      const state = this.#states.get(runs.ids[i]!);
      const nextSeq = state?.nextSeq ?? 0;
      const lastHash = state?.lastHash ?? GENESIS_HASH;
      if (runs.firstSeqs[i] !== nextSeq || runs.firstPrevHashes[i] !== lastHash) return false;
    }
    return true;
  }

  /** Takes a range that continuedBy accepted; `logged`: the range ends at or before `loggedBefore`. */
  extend(runs: SessionRuns, logged: boolean): void {
    for (let i = 0; i < runs.ids.length; i++) {
      const state = this.of(runs.ids[i]!);
      state.nextSeq = runs.lastSeqs[i]! + 1;
      if (logged) state.before = state.nextSeq;
      state.lastHash = runs.lastHashes[i]!;
      if (runs.ended[i]) state.ended = true;
    }
    for (const start of runs.starts) this.#states.get(start.sessionId)!.start = start;
    for (const end of runs.ends) this.#states.get(end.sessionId)!.ends.push(end);
  }

  /**
   * Checks the session records, read before the log, against the chains taken: each session holds
   * at least the events its record counts, and its record repeats its first event's subject,
   * identity, connection, time and protocol (the record is what `vigil sessions` lists and filters
   * by, and is written with that event, in the same transaction), and its latest session.end's time
   * and reason. A session whose first event is among the first `loggedBefore` events (those in the
   * log when the records were read) must have a record, and one ended among them a record that
   * says so.
   */
  checkRecords(records: readonly SessionRecord[], loggedBefore: number): void {
    for (const record of records) {
      const found = this.found(record.id);
      if (found < record.eventCount) {
        fail(
          'session_truncated',
          `session ${record.id} records ${record.eventCount} events but the log holds ${found}`,
          {
            sessionId: record.id,
            seq: found,
          },
        );
      }
    }
    const recorded = new Set<string>();
    for (const record of records) {
      recorded.add(record.id);
      const state = this.#states.get(record.id);
      const start = state?.start;
      const at = { sessionId: record.id, seq: 0 };
      if (!start) {
        fail('session_mismatch', `session ${record.id} has a session record but no events in the log`, {
          ...at,
          field: 'events',
        });
      } else {
        for (const [field, stored, logged] of compared(record, start)) {
          if (stored === logged) continue;
          // JSON-quoted: the record's text is anyone's who can write the store.
          fail(
            'session_mismatch',
            `session ${record.id}'s record says ${field} ${JSON.stringify(stored)}, but its first event (index ${start.index}) says ${JSON.stringify(logged)}`,
            { ...at, index: start.index, field },
          );
        }
        checkEnd(record, state!.ends.findLast((e) => e.index < loggedBefore) ?? null);
        checkCount(record, state!.before);
      }
    }
    for (const [id, state] of this.#states) {
      if (recorded.has(id) || state.start === null || state.start.index >= loggedBefore) continue;
      fail('session_mismatch', `session ${id} has events but no session record`, {
        sessionId: id,
        seq: 0,
        index: state.start.index,
        field: 'record',
      });
    }
  }

  get size(): number {
    return this.#states.size;
  }

  /** Sessions with no session.end, in the order the log met them. */
  incomplete(): string[] {
    const ids: string[] = [];
    for (const [id, state] of this.#states) if (!state.ended) ids.push(id);
    return ids;
  }
}

/** Each field of a record beside the same field of its session's first event, identity first. */
function compared(record: SessionRecord, start: SessionStart): [string, unknown, unknown][] {
  const fields: [string, unknown, unknown][] = [
    ['identity', record.identity, start.identity],
    ['subject', record.subject, subjectOf(start.identity)],
    ['connection', record.connection, start.connection],
    ['startedAt', record.startedAt, start.time],
  ];
  if (start.protocol !== undefined) fields.push(['protocol', record.protocol, start.protocol]);
  return fields;
}

/**
 * A record's end against the session's latest session.end: an end the log does not hold (a live
 * session shown as over), an ended session shown as open, or another time or reason (an end by
 * policy shown as an ordinary close) is a mismatch. `end`: the latest logged before the records
 * were read (a later one is not yet in them).
 */
function checkEnd(record: SessionRecord, end: SessionEnd | null): void {
  const at = { sessionId: record.id, seq: 0 };
  if (end === null) {
    if (record.endedAt !== null) {
      fail(
        'session_mismatch',
        `session ${record.id}'s record says it ended at ${JSON.stringify(record.endedAt)}, but the log holds no session.end for it`,
        { ...at, field: 'endedAt' },
      );
    }
    return;
  }
  const fields: [string, unknown, unknown][] = [['endedAt', record.endedAt, end.time]];
  if (end.reason !== undefined) fields.push(['endReason', record.endReason, end.reason]);
  for (const [field, stored, logged] of fields) {
    if (stored === logged) continue;
    fail(
      'session_mismatch',
      `session ${record.id}'s record says ${field} ${JSON.stringify(stored)}, but its session.end (index ${end.index}) says ${JSON.stringify(logged)}`,
      { ...at, index: end.index, field },
    );
  }
}

/**
 * A record's event count against the session's events logged before the records were read: the
 * count grows in the transaction that appends each event, so it is never below them. Until
 * 6 December only a count above the events found was a fault, so whoever could write the store
 * could show a 500-event session as a 3-event one (`vigil sessions`, the console's lists) unseen.
 */
function checkCount(record: SessionRecord, before: number): void {
  if (record.eventCount >= before) return;
  fail(
    'session_mismatch',
    `session ${record.id}'s record counts ${record.eventCount} events, but the log held ${before} of them before the records were read`,
    { sessionId: record.id, seq: record.eventCount, field: 'eventCount' },
  );
}

/** The subject of an identity as stored; undefined when it does not parse (never a record's). */
function subjectOf(identity: string): unknown {
  try {
    return (JSON.parse(identity) as { subject?: unknown }).subject;
  } catch {
    return undefined;
  }
}
