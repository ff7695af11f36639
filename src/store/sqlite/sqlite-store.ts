// The embedded ledger store: SQLite in WAL mode under the data directory (better-sqlite3).
// better-sqlite3 is synchronous; the Store port is asynchronous so that a networked store (a
// PostgreSQL one, planned) can implement it too. A transaction here is short, so blocking is brief.
import Database from 'better-sqlite3';
import { VigilError } from '../../core/errors.js';
import type { EventContent, RecordedEvent, SessionSummary, StoredEvent } from '../../core/events.js';
import {
  type AppendedPositions,
  CONTINUES_UNWRITTEN,
  type EventSelection,
  type PurgeOutcome,
  type PurgePlan,
  type SessionFilter,
  type SessionHead,
  type SessionMeta,
  type SessionPage,
  type SessionPageRequest,
  type SignedCheckpoint,
  type Store,
} from '../../core/ports.js';
import { type ContentTuple, contentColumns, contentOfRows, omittedPaths } from '../event-content.js';
import {
  EVENT_COLUMNS,
  type EventTuple,
  type SessionRow,
  sessionSummaryOf,
  storedEventOf,
} from '../ledger-rows.js';
import { type AppendBatch, prepareAppendBatch } from './append-rows.js';
import { createBatchWriter, type WriteBatch } from './append-writer.js';
import { SQLITE_MIGRATIONS } from './migrations.js';
import { rowOf, sqliteInteger } from './sqlite-event-source.js';
import { readSqliteSessionPage } from './sqlite-session-page.js';
import { WorkerBatchWriter } from './worker-writer.js';

export interface SqliteStoreOptions {
  /** `full` fsyncs every commit (survives power loss); `normal` survives a process crash. */
  readonly synchronous?: 'full' | 'normal';
  readonly readonly?: boolean;
  /** Commit appends in a worker thread (default), so an fsync never blocks the event loop. */
  readonly appendInWorker?: boolean;
}

export class SqliteStore implements Store {
  readonly #db: Database.Database;
  readonly #writeInline: WriteBatch | null;
  readonly #worker: WorkerBatchWriter | null;
  /**
   * Whether the last batch reached the writer: handed to the worker (which judges what continues
   * it), or, inline, written. A batch that continues one that did not is refused here.
   */
  #lastReachedWriter = true;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    try {
      this.#db = new Database(path, {
        readonly: options.readonly ?? false,
        fileMustExist: options.readonly ?? false,
      });
    } catch (err) {
      throw new VigilError('record_failed', `cannot open the SQLite store at ${path}`, { cause: err });
    }
    if (!options.readonly) {
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
      this.#migrate();
    }
    this.#db.pragma('busy_timeout = 5000');
    const synchronous = options.synchronous === 'normal' ? 'NORMAL' : 'FULL';
    this.#writeInline = options.readonly ? null : createBatchWriter(this.#db);
    this.#worker =
      options.readonly || options.appendInWorker === false ? null : new WorkerBatchWriter(path, synchronous);
    // With a worker, it checkpoints the WAL (idle-checkpoint.ts): this connection's own writes
    // (approvals, grants, …) then never run one on the event loop.
    if (this.#worker) this.#db.pragma('wal_autocheckpoint = 0');
  }

  #migrate(): void {
    this.#db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
    );
    const applied = new Set(
      (this.#db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map(
        (r) => r.version,
      ),
    );
    SQLITE_MIGRATIONS.forEach((sql, i) => {
      const version = i + 1;
      if (applied.has(version)) return;
      this.#db.transaction(() => {
        this.#db.exec(sql);
        this.#db
          .prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)')
          .run(version, new Date().toISOString());
      })();
    });
  }

  /** The append worker, when appends commit in one (the bundle routes lease writes through it too). */
  get appendWorker(): WorkerBatchWriter | null {
    return this.#worker;
  }

  /** The underlying handle, shared by the bundle's other SQLite ports (sqlite-store-bundle.ts). */
  get database(): Database.Database {
    return this.#db;
  }

  /** Keeps the indexes the recorder gave (one writer per file): a taken one refuses the batch. */
  appendEvents(
    events: readonly RecordedEvent[],
    sessions: readonly SessionMeta[] = [],
  ): Promise<AppendedPositions> {
    return this.#append(events, sessions, false);
  }

  /** The batch waits in the writer's queue behind the one it continues, and shares its fate. */
  appendAfter(
    events: readonly RecordedEvent[],
    sessions: readonly SessionMeta[] = [],
  ): Promise<AppendedPositions> {
    return this.#append(events, sessions, true);
  }

  async #append(
    events: readonly RecordedEvent[],
    sessions: readonly SessionMeta[],
    continues: boolean,
  ): Promise<AppendedPositions> {
    try {
      if (continues && !this.#lastReachedWriter) throw new Error(CONTINUES_UNWRITTEN);
      this.#lastReachedWriter = false;
      if (!this.#db.open) throw new Error('the store is closed');
      const batch = prepareAppendBatch(events, sessions);
      if (this.#worker) {
        // The worker keeps the order and refuses a batch that continues one it could not write.
        const written = this.#worker.write(batch, continues);
        this.#lastReachedWriter = true;
        await written;
      } else if (this.#writeInline) {
        this.#writeInline(batch);
        this.#lastReachedWriter = true;
      } else throw new Error('the store is read-only');
      return { firstIndex: events[0]?.index ?? (await this.ledgerSize()) };
    } catch (err) {
      throw new VigilError('record_failed', `could not persist ${events.length} event(s)`, { cause: err });
    }
  }

  async ledgerSize(): Promise<number> {
    const row = this.#db.prepare('SELECT MAX(idx) AS max FROM events').get() as { max: number | null };
    return row.max === null ? 0 : row.max + 1;
  }

  async sessionHead(sessionId: string): Promise<SessionHead | null> {
    const row = this.#db
      .prepare('SELECT next_seq, last_hash, ended_at FROM sessions WHERE id = ?')
      .get(sessionId) as { next_seq: number; last_hash: string; ended_at: string | null } | undefined;
    return row ? { nextSeq: row.next_seq, lastHash: row.last_hash, ended: row.ended_at !== null } : null;
  }

  async readSession(sessionId: string): Promise<StoredEvent[]> {
    const rows = this.#db
      .prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE session_id = ? ORDER BY seq`)
      .raw(true)
      .all(sessionId) as EventTuple[];
    return rows.map((t) => storedEventOf(rowOf(t)));
  }

  async readSessionPage(sessionId: string, request: SessionPageRequest): Promise<SessionPage> {
    return readSqliteSessionPage(this.#db, sessionId, request);
  }

  async readSessionContent(sessionId: string, selection: EventSelection): Promise<EventContent[]> {
    if (selection.types.length === 0) return [];
    const omitted = omittedPaths(selection);
    const types = selection.types.map(() => '?').join(', ');
    const read = (payload: string, params: unknown[]) =>
      this.#db
        .prepare(
          `SELECT ${contentColumns(payload)} FROM events
            WHERE session_id = ? AND type IN (${types}) ORDER BY seq`,
        )
        .raw(true)
        .all(...params, sessionId, ...selection.types) as ContentTuple[];
    if (omitted.size === 0) return contentOfRows(read('payload', []), sqliteInteger, null);
    // SQLite leaves the members out (json_remove, in C), so they are never parsed into objects. It
    // is skipped where it cannot remove anything: no path's last key is in the text, quoted, and no
    // \u escape could spell one otherwise (a Game of 24 request has no `tools`: 10,000 parses saved).
    const cases = [...omitted].map(([, paths]) => {
      const present = [...paths.map(() => 'instr(payload, ?) > 0'), "instr(payload, '\\u') > 0"];
      return `WHEN ? THEN CASE WHEN ${present.join(' OR ')} THEN json_remove(payload${', ?'.repeat(paths.length)}) ELSE payload END`;
    });
    const params = [...omitted].flatMap(([type, paths]) => [
      type,
      ...paths.map((p) => `"${p.split('.').at(-1)}"`),
      ...paths.map((p) => `$.${p}`),
    ]);
    let rows: ContentTuple[];
    try {
      rows = read(`CASE type ${cases.join(' ')} ELSE payload END`, params);
    } catch {
      // A payload SQLite's JSON functions refuse (nested deeper than they allow) is still one JSON
      // can read: the same members are then left out here.
      return contentOfRows(read('payload', []), sqliteInteger, omitted);
    }
    return contentOfRows(rows, sqliteInteger, null);
  }

  async readEvents(fromIndex: number, limit: number): Promise<StoredEvent[]> {
    const rows = this.#db
      .prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE idx >= ? ORDER BY idx LIMIT ?`)
      .raw(true)
      .all(fromIndex, limit) as EventTuple[];
    return rows.map((t) => storedEventOf(rowOf(t)));
  }

  async getSession(sessionId: string): Promise<SessionSummary | null> {
    const row = this.#db.prepare('SELECT * FROM sessions WHERE id = ?').get(sessionId) as
      | SessionRow
      | undefined;
    return row ? sessionSummaryOf(row, sqliteInteger) : null;
  }

  async listSessions(filter: SessionFilter): Promise<SessionSummary[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.identity) {
      where.push('s.subject = ?');
      params.push(filter.identity);
    }
    if (filter.identityKind) {
      where.push("json_extract(s.identity, '$.kind') = ?");
      params.push(filter.identityKind);
    }
    if (filter.connection) {
      where.push('s.connection = ?');
      params.push(filter.connection);
    }
    if (filter.since) {
      where.push('s.last_event_at >= ?');
      params.push(filter.since);
    }
    if (filter.until && filter.afterId !== undefined) {
      where.push('(s.started_at < ? OR (s.started_at = ? AND s.id > ?))');
      params.push(filter.until, filter.until, filter.afterId);
    } else if (filter.until) {
      where.push('s.started_at < ?');
      params.push(filter.until);
    }
    if (filter.search) {
      // JSON-escape the needle so it matches the payload text as stored (quotes, backslashes).
      const needle = JSON.stringify(filter.search)
        .slice(1, -1)
        .replace(/[\\%_]/g, (c) => `\\${c}`);
      where.push(
        "EXISTS (SELECT 1 FROM events e WHERE e.session_id = s.id AND e.payload LIKE ? ESCAPE '\\')",
      );
      params.push(`%${needle}%`);
    }
    const sql = `SELECT s.* FROM sessions s ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY s.started_at DESC, s.id LIMIT ?`;
    params.push(filter.limit ?? 100);
    return (this.#db.prepare(sql).all(...params) as SessionRow[]).map((row) =>
      sessionSummaryOf(row, sqliteInteger),
    );
  }

  async openSessions(): Promise<SessionSummary[]> {
    const rows = this.#db
      .prepare('SELECT * FROM sessions WHERE ended_at IS NULL ORDER BY started_at')
      .all() as SessionRow[];
    return rows.map((row) => sessionSummaryOf(row, sqliteInteger));
  }

  async purgePayloads(
    before: string,
    recordIntent: (plan: PurgePlan) => Promise<void>,
  ): Promise<PurgeOutcome> {
    // Runs of consecutive indexes (gaps and islands): a compact, exact list of what goes. Purge
    // records are never candidates, so the evidence of every purge stays.
    const runs = this.#db
      .prepare(
        `SELECT MIN(idx) AS first, MAX(idx) AS last, COUNT(*) AS n FROM (
           SELECT idx, idx - ROW_NUMBER() OVER (ORDER BY idx) AS run FROM events
            WHERE time < ? AND (payload IS NOT NULL OR payload_object IS NOT NULL) AND type <> 'ledger.purged')
          GROUP BY run ORDER BY first`,
      )
      .all(before) as { first: number; last: number; n: number }[];
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
    const drop = this.#db.prepare(
      `UPDATE events SET payload = NULL, payload_object = NULL
        WHERE idx BETWEEN ? AND ? AND time < ? AND (payload IS NOT NULL OR payload_object IS NOT NULL) AND type <> 'ledger.purged'`,
    );
    const dropped = this.#db.transaction(() =>
      plan.ranges.reduce((sum, [first, last]) => sum + drop.run(first, last, before).changes, 0),
    )();
    return { plan, dropped };
  }

  async appendCheckpoint(cp: SignedCheckpoint): Promise<void> {
    // Through the append writer (the worker by default): the one connection that writes the log.
    const batch: AppendBatch = {
      events: [],
      newSessions: [],
      touched: [],
      ended: [],
      checkpoints: [[cp.size, cp.root, cp.time, cp.keyId, cp.signature]],
    };
    if (this.#worker) await this.#worker.write(batch);
    else if (this.#writeInline) this.#writeInline(batch);
    else throw new VigilError('record_failed', 'the store is read-only');
  }

  async listCheckpoints(): Promise<SignedCheckpoint[]> {
    return this.#checkpoints('SELECT * FROM checkpoints ORDER BY size');
  }

  async latestCheckpoint(): Promise<SignedCheckpoint | null> {
    return this.#checkpoints('SELECT * FROM checkpoints ORDER BY size DESC LIMIT 1')[0] ?? null;
  }

  #checkpoints(sql: string): SignedCheckpoint[] {
    const rows = this.#db.prepare(sql).all() as {
      size: number;
      root: string;
      time: string;
      key_id: string;
      signature: string;
    }[];
    return rows.map((r) => ({
      size: r.size,
      root: r.root,
      time: r.time,
      keyId: r.key_id,
      signature: r.signature,
    }));
  }

  /** Finishes the appends under way, then closes the handle (and so the bundle's other ports). */
  async close(): Promise<void> {
    await this.#worker?.close();
    if (this.#db.open) this.#db.close();
  }
}
