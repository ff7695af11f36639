// Where verification reads the ledger from: the stored rows as stored (text columns as text), so
// that one changed byte anywhere changes what is hashed. Any Store works through storeEventSource;
// SQLite has a faster raw reader that skips parsing payloads.
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
}

export function storeEventSource(store: Store): EventSource {
  return {
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
  };
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
  const count = db.prepare('SELECT COUNT(*) AS n FROM events');
  const sessions = db.prepare('SELECT id, event_count AS n FROM sessions');
  return {
    async readEvents(fromIndex, limit) {
      const tuples = page.all(fromIndex, limit) as EventTuple[];
      const rows: RawEventRow[] = new Array(tuples.length);
      for (let i = 0; i < tuples.length; i++) {
        const t = tuples[i]!;
        rows[i] = {
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
      return rows;
    },
    async count() {
      return (count.get() as { n: number }).n;
    },
    async sessionCounts() {
      return new Map((sessions.all() as { id: string; n: number }[]).map((r) => [r.id, r.n]));
    },
  };
}
