// The SQLite store's fast log reader: the `events` table read directly, rows as arrays, payloads
// left as the stored text, so verification hashes exactly the bytes on disk.
import type Database from 'better-sqlite3';
import type { EventSource, RawEventRow } from '../../core/ports.js';
import { PURGE_RECORD_TYPE } from '../../ledger/event-source.js';

type EventTuple = [
  number,
  string,
  number,
  string,
  string,
  string,
  string | null,
  string,
  string | null,
  string,
  string,
  string,
];

const COLUMNS =
  'idx, session_id, seq, type, time, connection, subject, identity, payload, payload_hash, prev_hash, hash';

export function sqliteEventSource(db: Database.Database): EventSource {
  // Rows as arrays: better-sqlite3 builds those much faster than objects.
  const page = db.prepare(`SELECT ${COLUMNS} FROM events WHERE idx >= ? ORDER BY idx LIMIT ?`).raw(true);
  const purges = db.prepare(`SELECT ${COLUMNS} FROM events WHERE type = ? ORDER BY idx`).raw(true);
  const count = db.prepare('SELECT COUNT(*) AS n FROM events');
  const sessions = db.prepare('SELECT id, event_count AS n FROM sessions');
  return {
    async readEvents(fromIndex, limit) {
      return (page.all(fromIndex, limit) as EventTuple[]).map(rowOf);
    },
    async purgeRecords() {
      return (purges.all(PURGE_RECORD_TYPE) as EventTuple[]).map(rowOf);
    },
    async count() {
      return (count.get() as { n: number }).n;
    },
    async sessionCounts() {
      return new Map((sessions.all() as { id: string; n: number }[]).map((r) => [r.id, r.n]));
    },
  };
}

function rowOf(t: EventTuple): RawEventRow {
  return {
    index: t[0],
    sessionId: t[1],
    seq: t[2],
    type: t[3],
    time: t[4],
    connection: t[5],
    subject: t[6],
    identity: t[7],
    payload: t[8],
    payloadHash: t[9],
    prevHash: t[10],
    hash: t[11],
  };
}
