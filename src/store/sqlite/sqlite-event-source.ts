// The SQLite store's fast log reader: the `events` table read directly, rows as arrays, payloads
// left as the stored text, so verification hashes exactly the bytes on disk.
// SQLite stores whatever a column is given (`UPDATE events SET seq = 1.5`, a text, an integer past
// 2^53): such a value is tampering, reported by verification as the fault of the row where it
// stands, not a TypeError that ends `vigil verify` with a stack trace and exit 2 (until 6 December).
import type Database from 'better-sqlite3';
import { VigilError } from '../../core/errors.js';
import type { EventSource, RawEventRow } from '../../core/ports.js';
import { PURGE_RECORD_TYPE } from '../../ledger/event-source.js';
import type { FaultKind } from '../../ledger/faults.js';
import { Fault } from '../../ledger/verify-fault.js';
import {
  EVENT_COLUMNS,
  type EventTuple,
  rawEventRowOf,
  SESSION_RECORD_COLUMNS,
  type SessionRecordTuple,
  sessionRecordOf,
} from '../ledger-rows.js';

export function sqliteEventSource(db: Database.Database): EventSource {
  // Rows as arrays: better-sqlite3 builds those much faster than objects.
  const page = db
    .prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE idx >= ? ORDER BY idx LIMIT ?`)
    .raw(true);
  // The type spelled in the statement, not bound: SQLite uses the partial index of purge records
  // (events_purge_records) only when the query's WHERE names the index's value itself.
  const purges = db
    .prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE type = '${PURGE_RECORD_TYPE}' ORDER BY idx`)
    .raw(true);
  const count = db.prepare('SELECT COUNT(*) AS n FROM events');
  const sessions = db.prepare(`SELECT ${SESSION_RECORD_COLUMNS} FROM sessions`).raw(true);
  return {
    async readEvents(fromIndex, limit) {
      const tuples = page.all(fromIndex, limit) as EventTuple[];
      const rows: RawEventRow[] = [];
      for (const t of tuples) {
        const bad = badIntegerOf(t);
        if (bad === null) {
          rows.push(rowOf(t));
          continue;
        }
        // The rows before it are checked first, so the fault named is still the first in log order;
        // the next read starts at the bad row, which is then reported where verification stands.
        if (rows.length > 0) return rows;
        throw eventFault(t, bad, fromIndex);
      }
      return rows;
    },
    async purgeRecords() {
      // Read before the log: a purge record that cannot be read is reported before anything it names.
      return (purges.all() as EventTuple[]).map((t) => {
        const bad = badIntegerOf(t);
        if (bad !== null) throw eventFault(t, bad, null);
        return rowOf(t);
      });
    },
    async count() {
      return (count.get() as { n: number }).n;
    },
    async sessionRecords() {
      return (sessions.all() as SessionRecordTuple[]).map((t) => {
        if (!isSqliteInteger(t[5])) {
          throw new Fault({
            kind: 'session_mismatch',
            message: `session ${t[0]}'s record counts ${shown(t[5])} events, not an exact integer`,
            sessionId: t[0],
            field: 'eventCount',
          });
        }
        return sessionRecordOf(t, sqliteInteger);
      });
    },
  };
}

/** SQLite's integers are numbers already; a value that is not one is refused, not coerced. */
export function sqliteInteger(value: unknown, column: string): number {
  if (!isSqliteInteger(value)) {
    throw new VigilError(
      'ledger_tampered',
      `${column} holds ${shown(value)}, not an exact integer: the store was altered (run vigil verify)`,
      { details: { reason: 'not_an_integer', column } },
    );
  }
  return value;
}

export function rowOf(t: EventTuple): RawEventRow {
  return rawEventRowOf(t, sqliteInteger);
}

const isSqliteInteger = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value);

/** The integer column of an events row that holds no integer, or null when both do. */
function badIntegerOf(t: EventTuple): 'idx' | 'seq' | null {
  if (!isSqliteInteger(t[0])) return 'idx';
  if (!isSqliteInteger(t[2])) return 'seq';
  return null;
}

/**
 * The fault of a row whose idx or seq is no integer: the log skips (index_gap) at the position
 * verification reads from, or the session's sequence breaks (seq_gap) at the row's index.
 * `position`: where the row stands in the log; null for a purge record, read out of order.
 */
function eventFault(t: EventTuple, column: 'idx' | 'seq', position: number | null): Fault {
  const [idx, sessionId, seq, type] = t;
  const kind: FaultKind = column === 'idx' ? 'index_gap' : 'seq_gap';
  const message =
    column === 'idx'
      ? `an event of session ${sessionId} has idx ${shown(idx)}, no index of the log${position === null ? '' : `: the log skips event ${position}`}`
      : `event ${String(idx)} has seq ${shown(seq)} in session ${sessionId}, not a sequence number`;
  const index = column === 'idx' ? position : (idx as number);
  return new Fault({
    kind,
    message,
    ...(index === null ? {} : { index }),
    sessionId,
    ...(column === 'idx' && isSqliteInteger(seq) ? { seq } : {}),
    eventType: type,
  });
}

/** A stored value as the report shows it: an integer past 2^53 is only approximately a JS number. */
function shown(value: unknown): string {
  if (typeof value === 'number' && Number.isInteger(value)) return `${value} (past 2^53, not exact)`;
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40));
  if (value instanceof Uint8Array) return `a ${value.length}-byte blob`;
  return String(value).slice(0, 40);
}
