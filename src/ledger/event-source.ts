// Where verification reads the ledger from: the stored rows as stored (text columns as text), so
// that one changed byte anywhere changes what is hashed. Any Store works through storeEventSource;
// SQLite has a faster raw reader that skips parsing payloads.
import type { EventType } from '../core/events.js';
import type { Store } from '../core/ports.js';
import { canonicalJson } from './canonical.js';

export interface RawEventRow {
  readonly index: number;
  readonly sessionId: string;
  readonly seq: number;
  readonly type: string;
  readonly time: string;
  readonly connection: string;
  /** A denormalised copy of identity.subject kept for listings, when the store has one. */
  readonly subject: string | null;
  /** The identity as stored (JSON text). */
  readonly identity: string;
  /** Canonical JSON text of the payload, or null once retention purged it. */
  readonly payload: string | null;
  readonly payloadHash: string;
  readonly prevHash: string;
  readonly hash: string;
}

export interface EventSource {
  /** Rows in index order from `fromIndex`, at most `limit`. */
  readEvents(fromIndex: number, limit: number): Promise<readonly RawEventRow[]>;
  /** Number of rows, for progress. */
  count(): Promise<number>;
  /** Event count per session as the session records say (a cross-check, not the source of truth). */
  sessionCounts(): Promise<Map<string, number>>;
  /**
   * The `ledger.purged` events, in index order: read before the log so that a missing payload can
   * be judged where it stands (its purge record comes later in the log).
   */
  purgeRecords(): Promise<readonly RawEventRow[]>;
}

/** The event type of a purge record (see core/events.ts). */
export const PURGE_RECORD_TYPE = 'ledger.purged' satisfies EventType;

export function storeEventSource(store: Store): EventSource {
  const source: EventSource = {
    async readEvents(fromIndex, limit) {
      const events = await store.readEvents(fromIndex, limit);
      return events.map((e) => ({
        index: e.index,
        sessionId: e.sessionId,
        seq: e.seq,
        type: e.type,
        time: e.time,
        connection: e.connection,
        subject: null,
        identity: JSON.stringify(e.identity),
        payload: e.payload === null ? null : canonicalJson(e.payload),
        payloadHash: e.payloadHash,
        prevHash: e.prevHash,
        hash: e.hash,
      }));
    },
    count: () => store.ledgerSize(),
    async sessionCounts() {
      const sessions = await store.listSessions({ limit: Number.MAX_SAFE_INTEGER });
      return new Map(sessions.map((s) => [s.id, s.eventCount]));
    },
    async purgeRecords() {
      // The Store port has no query by type: one extra pass over the log.
      const records: RawEventRow[] = [];
      for (let from = 0; ; ) {
        const rows = await source.readEvents(from, 5000);
        if (rows.length === 0) return records;
        for (const row of rows) if (row.type === PURGE_RECORD_TYPE) records.push(row);
        from = rows.at(-1)!.index + 1;
      }
    },
  };
  return source;
}

/** The part of a better-sqlite3 handle the raw reader needs (kept structural: no store import). */
export interface SqliteHandle {
  prepare(sql: string): SqliteStatement;
}
interface SqliteStatement {
  all(...params: unknown[]): unknown[];
  get(...params: unknown[]): unknown;
  raw(toggle?: boolean): SqliteStatement;
}

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

/** Reads the SQLite store's `events` table directly: text columns are hashed exactly as stored. */
export function sqliteEventSource(db: SqliteHandle): EventSource {
  // Rows as arrays: better-sqlite3 builds those much faster than objects.
  const page = db
    .prepare(
      `SELECT idx, session_id, seq, type, time, connection, subject, identity, payload, payload_hash, prev_hash, hash
         FROM events WHERE idx >= ? ORDER BY idx LIMIT ?`,
    )
    .raw(true);
  const purges = db
    .prepare(
      `SELECT idx, session_id, seq, type, time, connection, subject, identity, payload, payload_hash, prev_hash, hash
         FROM events WHERE type = '${PURGE_RECORD_TYPE}' ORDER BY idx`,
    )
    .raw(true);
  const count = db.prepare('SELECT COUNT(*) AS n FROM events');
  const sessions = db.prepare('SELECT id, event_count AS n FROM sessions');
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
