// The SQLite store's fast log reader: the `events` table read directly, rows as arrays, payloads
// left as the stored text, so verification hashes exactly the bytes on disk.
import type Database from 'better-sqlite3';
import type { EventSource, RawEventRow } from '../../core/ports.js';
import { PURGE_RECORD_TYPE } from '../../ledger/event-source.js';
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
      return (page.all(fromIndex, limit) as EventTuple[]).map(rowOf);
    },
    async purgeRecords() {
      return (purges.all() as EventTuple[]).map(rowOf);
    },
    async count() {
      return (count.get() as { n: number }).n;
    },
    async sessionRecords() {
      return (sessions.all() as SessionRecordTuple[]).map((t) => sessionRecordOf(t, sqliteInteger));
    },
  };
}

/** SQLite's integers are numbers already; a value that is not one is refused, not coerced. */
export function sqliteInteger(value: unknown, column: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value))
    throw new TypeError(`${column} is not an integer`);
  return value;
}

export function rowOf(t: EventTuple): RawEventRow {
  return rawEventRowOf(t, sqliteInteger);
}
