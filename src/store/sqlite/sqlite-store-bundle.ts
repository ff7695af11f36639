// The SQLite implementation of the store bundle: one database file holds the ledger, access state
// and approvals, and every port shares one handle (the appends may add a worker's connection).
import type Database from 'better-sqlite3';
import type { ChangeFeed, EventSource, ReplicaLeases, StoreBundle } from '../../core/ports.js';
import { SqliteAccessStore } from './sqlite-access-store.js';
import { SqliteApprovalStore } from './sqlite-approval-store.js';
import { sqliteEventSource } from './sqlite-event-source.js';
import { SqliteModuleState } from './sqlite-module-state.js';
import { SqliteReplicaLeases } from './sqlite-replica-leases.js';
import { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
import { WorkerReplicaLeases } from './worker-replica-leases.js';

/** The database file under a data directory. */
export const SQLITE_FILE = 'vigil.db';

export class SqliteStoreBundle implements StoreBundle {
  readonly ledger: SqliteStore;
  readonly access: SqliteAccessStore;
  readonly approvals: SqliteApprovalStore;
  readonly eventSource: EventSource;
  readonly replicas: ReplicaLeases;
  readonly moduleState: SqliteModuleState;
  /** None: processes sharing one database file learn of each other's changes by polling. */
  readonly changes: ChangeFeed = { subscribe: () => () => undefined };

  constructor(path: string, options: SqliteStoreOptions = {}) {
    this.ledger = new SqliteStore(path, options);
    this.access = new SqliteAccessStore(this.ledger.database);
    this.approvals = new SqliteApprovalStore(this.ledger.database);
    this.eventSource = sqliteEventSource(this.ledger.database);
    // Lease writes are periodic: on the append worker's connection, they never block the event loop.
    const worker = this.ledger.appendWorker;
    this.replicas = worker ? new WorkerReplicaLeases(worker) : new SqliteReplicaLeases(this.ledger.database);
    this.moduleState = new SqliteModuleState(this.ledger.database);
  }

  /** The handle itself: only for SQLite-specific code and tests that edit rows on purpose. */
  get database(): Database.Database {
    return this.ledger.database;
  }

  close(): Promise<void> {
    return this.ledger.close();
  }
}
