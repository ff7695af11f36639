// The ledger Store on PostgreSQL. Appends are one transaction each that numbers its batch from the
// ledger head (append-transaction.ts), so several gateway processes can share one ledger. An append
// is durable when its COMMIT returns, as far as the server's synchronous_commit promises (on by
// default: the commit record is flushed to the server's WAL before the reply).
import type pg from 'pg';
import { VigilError } from '../../core/errors.js';
import type { EventContent, RecordedEvent, SessionSummary, StoredEvent } from '../../core/events.js';
import type {
  AppendedPositions,
  EventSelection,
  PurgeOutcome,
  PurgePlan,
  SessionFilter,
  SessionHead,
  SessionMeta,
  SessionPage,
  SessionPageRequest,
  SignedCheckpoint,
  Store,
} from '../../core/ports.js';
import { type ContentTuple, contentColumns, contentOfRows, omittedPaths } from '../event-content.js';
import { appendColumns } from './append-columns.js';
import { appendInTransaction } from './append-transaction.js';
import {
  EVENT_COLUMNS,
  type EventTuple,
  type SessionRow,
  sessionSummary,
  storedEvent,
} from './event-rows.js';
import { safeInteger } from './pg-integers.js';
import { inTransaction } from './pg-pool.js';
import { readPostgresSessionPage } from './postgres-session-page.js';
import { sessionListing } from './session-search.js';

export class PostgresStore implements Store {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /**
   * The positions the caller gave are its guess; the transaction numbers the batch from the ledger
   * head instead. The batch must still be in index order and contiguous, as the port says: one that
   * is not is malformed and refused whole.
   */
  async appendEvents(
    events: readonly RecordedEvent[],
    sessions: readonly SessionMeta[] = [],
  ): Promise<AppendedPositions> {
    if (events.length === 0) return { firstIndex: await this.ledgerSize() };
    try {
      const gap = events.findIndex((e, i) => e.index !== events[0]!.index + i);
      if (gap >= 0) throw new Error(`event ${gap} of the batch is not at the next index`);
      const columns = appendColumns(events, sessions);
      const firstIndex = await inTransaction(this.#pool, (client) => appendInTransaction(client, columns));
      return { firstIndex };
    } catch (err) {
      throw new VigilError('record_failed', `could not persist ${events.length} event(s)`, { cause: err });
    }
  }

  async ledgerSize(): Promise<number> {
    const { rows } = await this.#pool.query('SELECT size FROM ledger_head');
    return safeInteger((rows[0] as { size: unknown }).size, 'ledger_head.size');
  }

  async sessionHead(sessionId: string): Promise<SessionHead | null> {
    const { rows } = await this.#pool.query(
      'SELECT next_seq, last_hash, ended_at FROM sessions WHERE id = $1',
      [sessionId],
    );
    const row = rows[0] as { next_seq: string; last_hash: string; ended_at: string | null } | undefined;
    return row
      ? {
          nextSeq: safeInteger(row.next_seq, 'sessions.next_seq'),
          lastHash: row.last_hash,
          ended: row.ended_at !== null,
        }
      : null;
  }

  async readSession(sessionId: string): Promise<StoredEvent[]> {
    return this.#events(`SELECT ${EVENT_COLUMNS} FROM events WHERE session_id = $1 ORDER BY seq`, [
      sessionId,
    ]);
  }

  readSessionPage(sessionId: string, request: SessionPageRequest): Promise<SessionPage> {
    return readPostgresSessionPage(this.#pool, sessionId, request);
  }

  async readSessionContent(sessionId: string, selection: EventSelection): Promise<EventContent[]> {
    if (selection.types.length === 0) return [];
    const omitted = omittedPaths(selection);
    // Only the selected types and columns cross the wire; the members are left out here, after
    // JSON.parse: a text payload cast to jsonb would refuse what jsonb cannot hold (\u0000).
    const { rows } = await this.#pool.query<ContentTuple>({
      text: `SELECT ${contentColumns('payload')} FROM events
              WHERE session_id = $1 AND type = ANY($2::text[]) ORDER BY seq`,
      values: [sessionId, [...selection.types]],
      rowMode: 'array',
    });
    return contentOfRows(rows, safeInteger, omitted);
  }

  async readEvents(fromIndex: number, limit: number): Promise<StoredEvent[]> {
    return this.#events(`SELECT ${EVENT_COLUMNS} FROM events WHERE idx >= $1 ORDER BY idx LIMIT $2`, [
      fromIndex,
      limit,
    ]);
  }

  async #events(text: string, values: unknown[]): Promise<StoredEvent[]> {
    const { rows } = await this.#pool.query<EventTuple>({ text, values, rowMode: 'array' });
    return rows.map(storedEvent);
  }

  async getSession(sessionId: string): Promise<SessionSummary | null> {
    const { rows } = await this.#pool.query('SELECT * FROM sessions WHERE id = $1', [sessionId]);
    const row = rows[0] as SessionRow | undefined;
    return row ? sessionSummary(row) : null;
  }

  async listSessions(filter: SessionFilter): Promise<SessionSummary[]> {
    const { sql, params } = sessionListing(filter);
    const { rows } = await this.#pool.query(sql, params);
    return (rows as SessionRow[]).map(sessionSummary);
  }

  async openSessions(): Promise<SessionSummary[]> {
    const { rows } = await this.#pool.query(
      'SELECT * FROM sessions WHERE ended_at IS NULL ORDER BY started_at',
    );
    return (rows as SessionRow[]).map(sessionSummary);
  }

  async purgePayloads(
    before: string,
    recordIntent: (plan: PurgePlan) => Promise<void>,
  ): Promise<PurgeOutcome> {
    // Runs of consecutive indexes (gaps and islands): a compact, exact list of what goes. Purge
    // records are never candidates, so the evidence of every purge stays.
    const { rows } = await this.#pool.query(
      `SELECT MIN(idx) AS first, MAX(idx) AS last, COUNT(*) AS n FROM (
         SELECT idx, idx - ROW_NUMBER() OVER (ORDER BY idx) AS run FROM events
          WHERE time < $1 AND (payload IS NOT NULL OR payload_object IS NOT NULL) AND type <> 'ledger.purged') candidates
        GROUP BY run ORDER BY first`,
      [before],
    );
    const runs = (rows as { first: string; last: string; n: string }[]).map((r) => ({
      first: safeInteger(r.first, 'events.idx'),
      last: safeInteger(r.last, 'events.idx'),
      n: safeInteger(r.n, 'count'),
    }));
    const plan: PurgePlan = {
      before,
      ranges: runs.map((r) => [r.first, r.last] as const),
      count: runs.reduce((sum, r) => sum + r.n, 0),
    };
    if (plan.count === 0) return { plan, dropped: 0 };
    // The record first: if the drop then fails, the ledger says what was meant, and nothing is
    // missing that it does not explain.
    await recordIntent(plan);
    // Bounded by the plan's ranges, so events appended meanwhile are never touched.
    const dropped = await inTransaction(this.#pool, async (client) => {
      let sum = 0;
      for (const [first, last] of plan.ranges) {
        const result = await client.query(
          `UPDATE events SET payload = NULL, payload_object = NULL
            WHERE idx BETWEEN $1 AND $2 AND time < $3 AND (payload IS NOT NULL OR payload_object IS NOT NULL) AND type <> 'ledger.purged'`,
          [first, last, before],
        );
        sum += result.rowCount ?? 0;
      }
      return sum;
    });
    return { plan, dropped };
  }

  async appendCheckpoint(cp: SignedCheckpoint): Promise<void> {
    await this.#pool.query(
      'INSERT INTO checkpoints (size, root, time, key_id, signature) VALUES ($1, $2, $3, $4, $5)',
      [cp.size, cp.root, cp.time, cp.keyId, cp.signature],
    );
  }

  async listCheckpoints(): Promise<SignedCheckpoint[]> {
    return this.#checkpoints('SELECT size, root, time, key_id, signature FROM checkpoints ORDER BY size');
  }

  async latestCheckpoint(): Promise<SignedCheckpoint | null> {
    const latest = await this.#checkpoints(
      'SELECT size, root, time, key_id, signature FROM checkpoints ORDER BY size DESC LIMIT 1',
    );
    return latest[0] ?? null;
  }

  async #checkpoints(sql: string): Promise<SignedCheckpoint[]> {
    const { rows } = await this.#pool.query(sql);
    return (rows as { size: string; root: string; time: string; key_id: string; signature: string }[]).map(
      (r) => ({
        size: safeInteger(r.size, 'checkpoints.size'),
        root: r.root,
        time: r.time,
        keyId: r.key_id,
        signature: r.signature,
      }),
    );
  }
}
