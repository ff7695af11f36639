// Replica leases on PostgreSQL (core/ports.ts ReplicaLeases). Expiry times are the server's clock
// (clock_timestamp(), not the transaction's start), so replicas whose clocks disagree still agree on
// who has lapsed. Exclusivity comes from row locks: a lease row is ended by one DELETE, an orphan is
// adopted by one UPDATE (rows another adopter holds are skipped), the signer's lease by one upsert.
import type pg from 'pg';
import type { AdoptedSession, ReplicaInfo, ReplicaLeases } from '../../core/ports.js';
import { type SessionRow, sessionSummary } from './event-rows.js';
import { inTransaction } from './pg-pool.js';

const CHECKPOINT_SIGNER = 'checkpoint-signer';
const IN = "clock_timestamp() + $2::bigint * interval '1 millisecond'";

export class PostgresReplicaLeases implements ReplicaLeases {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async register(replica: ReplicaInfo, ttlMs: number): Promise<void> {
    await this.#pool.query(
      `INSERT INTO replicas (id, expires_at, host, pid, boot_id, started_at) VALUES ($1, ${IN}, $3, $4, $5, $6)`,
      [replica.id, ttlMs, replica.host, replica.pid, replica.bootId, replica.startedAt],
    );
  }

  async renew(id: string, ttlMs: number): Promise<boolean> {
    const result = await this.#pool.query(`UPDATE replicas SET expires_at = ${IN} WHERE id = $1`, [
      id,
      ttlMs,
    ]);
    return result.rowCount === 1;
  }

  async release(id: string): Promise<void> {
    await inTransaction(this.#pool, async (client) => {
      await client.query('DELETE FROM replicas WHERE id = $1', [id]);
      await client.query('DELETE FROM leases WHERE holder = $1', [id]);
    });
  }

  async list(): Promise<ReplicaInfo[]> {
    const { rows } = await this.#pool.query(
      'SELECT id, host, pid, boot_id, started_at FROM replicas ORDER BY started_at, id',
    );
    return (rows as { id: string; host: string; pid: number; boot_id: string; started_at: string }[]).map(
      (r) => ({ id: r.id, host: r.host, pid: Number(r.pid), bootId: r.boot_id, startedAt: r.started_at }),
    );
  }

  async expire(ids?: readonly string[]): Promise<string[]> {
    const { rows } =
      ids === undefined
        ? await this.#pool.query('DELETE FROM replicas WHERE expires_at < clock_timestamp() RETURNING id')
        : await this.#pool.query('DELETE FROM replicas WHERE id = ANY($1::text[]) RETURNING id', [ids]);
    return (rows as { id: string }[]).map((r) => r.id);
  }

  async adoptOrphans(claimer: string, quietSince: string): Promise<AdoptedSession[]> {
    // SKIP LOCKED: an orphan another replica is adopting right now is its own, not also ours.
    const { rows } = await this.#pool.query(
      `WITH orphans AS (
         SELECT s.id, s.replica AS previous FROM sessions s
          WHERE s.ended_at IS NULL
            AND ((s.replica IS NOT NULL AND s.replica <> $1
                  AND NOT EXISTS (SELECT 1 FROM replicas r WHERE r.id = s.replica))
              OR (s.replica IS NULL AND s.last_event_at < $2))
          FOR UPDATE SKIP LOCKED)
       UPDATE sessions s SET replica = $1 FROM orphans o WHERE s.id = o.id
       RETURNING s.*, o.previous`,
      [claimer, quietSince],
    );
    return (rows as (SessionRow & { previous: string | null })[])
      .map((row) => ({ session: sessionSummary(row), from: row.previous }))
      .sort((a, b) => a.session.startedAt.localeCompare(b.session.startedAt));
  }

  async lead(id: string, ttlMs: number): Promise<boolean> {
    const result = await this.#pool.query(
      `INSERT INTO leases (name, holder, expires_at) VALUES ($3, $1, ${IN})
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
        WHERE leases.holder = excluded.holder OR leases.expires_at < clock_timestamp()`,
      [id, ttlMs, CHECKPOINT_SIGNER],
    );
    return result.rowCount === 1;
  }
}
