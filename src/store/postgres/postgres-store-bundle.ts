// The PostgreSQL implementation of the store bundle: one pool shared by every port, over one schema
// that is brought up to date before the bundle is handed out.
import type pg from 'pg';
import { VigilError } from '../../core/errors.js';
import type { EventSource, StoreBundle } from '../../core/ports.js';
import { describeDatabase } from './database-url.js';
import { type MigrationOutcome, migrate } from './migrate.js';
import { createPool, type PoolSettings } from './pg-pool.js';
import { PostgresAccessStore } from './postgres-access-store.js';
import { PostgresApprovalStore } from './postgres-approval-store.js';
import { PostgresChangeFeed } from './postgres-change-feed.js';
import { postgresEventSource } from './postgres-event-source.js';
import { PostgresModuleState } from './postgres-module-state.js';
import { PostgresReplicaLeases } from './postgres-replica-leases.js';
import { PostgresStore } from './postgres-store.js';

export class PostgresStoreBundle implements StoreBundle {
  readonly ledger: PostgresStore;
  readonly access: PostgresAccessStore;
  readonly approvals: PostgresApprovalStore;
  readonly eventSource: EventSource;
  readonly replicas: PostgresReplicaLeases;
  readonly changes: PostgresChangeFeed;
  readonly moduleState: PostgresModuleState;
  /** What opening the store migrated. */
  readonly migration: MigrationOutcome;
  readonly #pool: pg.Pool;

  private constructor(pool: pg.Pool, migration: MigrationOutcome, settings: PoolSettings) {
    this.#pool = pool;
    this.changes = new PostgresChangeFeed(settings);
    this.migration = migration;
    this.ledger = new PostgresStore(pool);
    this.access = new PostgresAccessStore(pool);
    this.approvals = new PostgresApprovalStore(pool);
    this.eventSource = postgresEventSource(pool);
    this.replicas = new PostgresReplicaLeases(pool);
    this.moduleState = new PostgresModuleState(pool);
  }

  /** Connects and migrates; fails with store_unavailable (naming the server, never the URL) when it cannot. */
  static async open(settings: PoolSettings): Promise<PostgresStoreBundle> {
    // A connection lost while idle is replaced on the next query, whose failure the caller sees.
    const pool = createPool(settings, () => undefined);
    try {
      return new PostgresStoreBundle(pool, await migrate(pool, settings.schema), settings);
    } catch (err) {
      await pool.end().catch(() => undefined);
      if (err instanceof VigilError) throw err;
      throw new VigilError(
        'store_unavailable',
        `cannot open the PostgreSQL store at ${describeDatabase(settings.url)} (schema ${settings.schema}): ${messageOf(err)}`,
        { cause: err },
      );
    }
  }

  /** Waits for the queries under way, then closes every connection. */
  async close(): Promise<void> {
    await this.changes.close();
    if (!this.#pool.ended) await this.#pool.end();
  }
}

/** pg's message (it names users and hosts, never passwords), or the error's code. */
function messageOf(err: unknown): string {
  if (err instanceof Error && err.message) return err.message;
  return String((err as { code?: unknown } | null)?.code ?? err);
}
