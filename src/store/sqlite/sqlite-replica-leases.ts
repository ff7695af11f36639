// Replica leases on SQLite: the same contract as on PostgreSQL (core/ports.ts ReplicaLeases), for
// gateway processes sharing one database file on one machine (a restart overlapping the old process,
// or several processes on one data directory). Each method is one immediate transaction, so two
// processes never both end a lease, adopt a session or lead; times are this machine's clock.
import type Database from 'better-sqlite3';
import type { AdoptedSession, ReplicaInfo, ReplicaLeases } from '../../core/ports.js';
import { type SessionRow, sessionSummaryOf } from '../ledger-rows.js';
import { writeTransaction } from './busy-retry.js';
import { sqliteInteger } from './sqlite-event-source.js';

const CHECKPOINT_SIGNER = 'checkpoint-signer';

interface ReplicaRow {
  id: string;
  host: string;
  pid: number;
  boot_id: string;
  started_at: string;
}

export class SqliteReplicaLeases implements ReplicaLeases {
  readonly #db: Database.Database;
  readonly #now: () => number;

  constructor(db: Database.Database, now: () => number = Date.now) {
    this.#db = db;
    this.#now = now;
  }

  async register(replica: ReplicaInfo, ttlMs: number): Promise<void> {
    this.#write(() =>
      this.#db
        .prepare(
          'INSERT INTO replicas (id, host, pid, boot_id, started_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(replica.id, replica.host, replica.pid, replica.bootId, replica.startedAt, this.#now() + ttlMs),
    );
  }

  async renew(id: string, ttlMs: number): Promise<boolean> {
    const result = this.#write(() =>
      this.#db.prepare('UPDATE replicas SET expires_at = ? WHERE id = ?').run(this.#now() + ttlMs, id),
    );
    return result.changes === 1;
  }

  async release(id: string): Promise<void> {
    this.#write(() => {
      this.#db.prepare('DELETE FROM replicas WHERE id = ?').run(id);
      this.#db.prepare('DELETE FROM leases WHERE holder = ?').run(id);
    });
  }

  async list(): Promise<ReplicaInfo[]> {
    const rows = this.#db
      .prepare('SELECT id, host, pid, boot_id, started_at FROM replicas ORDER BY started_at, id')
      .all() as ReplicaRow[];
    return rows.map((r) => ({
      id: r.id,
      host: r.host,
      pid: Number(r.pid),
      bootId: r.boot_id,
      startedAt: r.started_at,
    }));
  }

  async expire(ids?: readonly string[]): Promise<string[]> {
    return this.#write(() => {
      const rows =
        ids === undefined
          ? this.#db.prepare('DELETE FROM replicas WHERE expires_at < ? RETURNING id').all(this.#now())
          : ids.flatMap((id) => this.#db.prepare('DELETE FROM replicas WHERE id = ? RETURNING id').all(id));
      return (rows as { id: string }[]).map((r) => r.id);
    });
  }

  async adoptOrphans(claimer: string, quietSince: string): Promise<AdoptedSession[]> {
    return this.#write(() => {
      const orphans = this.#db
        .prepare(
          `SELECT * FROM sessions s
            WHERE s.ended_at IS NULL
              AND ((s.replica IS NOT NULL AND s.replica <> ?
                    AND NOT EXISTS (SELECT 1 FROM replicas r WHERE r.id = s.replica))
                OR (s.replica IS NULL AND s.last_event_at < ?))
            ORDER BY s.started_at, s.id`,
        )
        .all(claimer, quietSince) as (SessionRow & { replica: string | null })[];
      const adopt = this.#db.prepare('UPDATE sessions SET replica = ? WHERE id = ?');
      for (const row of orphans) adopt.run(claimer, row.id);
      return orphans.map((row) => ({ session: sessionSummaryOf(row, sqliteInteger), from: row.replica }));
    });
  }

  async lead(id: string, ttlMs: number): Promise<boolean> {
    const now = this.#now();
    const result = this.#write(() =>
      this.#db
        .prepare(
          `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
            WHERE leases.holder = excluded.holder OR leases.expires_at < ?`,
        )
        .run(CHECKPOINT_SIGNER, id, now + ttlMs, now),
    );
    return result.changes === 1;
  }

  /** One immediate transaction: it takes the write lock first, so a read inside it cannot go stale. */
  #write<T>(body: () => T): T {
    return writeTransaction(this.#db, body);
  }
}
