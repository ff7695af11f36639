// The stores a test ledger is built in for the tests that run on both (SQLite, PostgreSQL): how
// to open one, how a verification worker opens it again, and raw SQL on it for tampering.
import pg from 'pg';
import type { EventSourceOpener } from '../../src/core/ports.js';
import { configSchema } from '../../src/protocols/index.js';
import { eventSourceOpener } from '../../src/store/event-source-opener.js';
import { openStore } from '../../src/store/index.js';
import { sqliteDatabase } from '../store/sqlite-handle.js';
import { type ScratchPostgresStore, scratchPostgresStore } from '../support/postgres-store.js';
import {
  type Ledger,
  type LedgerSpec,
  type LedgerStoreOpener,
  SQLITE_LEDGER_STORE,
  withLedger,
} from './fixture.js';

/**
 * A store the ledger is built in, how a worker opens it again, and raw SQL on it (`$1` parameters,
 * numbered in the order given).
 */
export interface Backend {
  readonly name: string;
  readonly open: LedgerStoreOpener;
  reader(l: Ledger): EventSourceOpener;
  sql(l: Ledger, text: string, ...params: unknown[]): Promise<Record<string, unknown>[]>;
  /** Removes what open() made beyond the ledger's directory. */
  cleanup(): Promise<void>;
}

export const sqlite: Backend = {
  name: 'sqlite',
  open: (dir) => openStore(SQLITE_LEDGER_STORE, dir),
  reader: (l) => eventSourceOpener(SQLITE_LEDGER_STORE, l.dir, l.dir),
  async sql(l, text, ...params) {
    const statement = sqliteDatabase(l.store).prepare(text.replace(/\$\d+/g, '?'));
    if (statement.reader) return statement.all(...params) as Record<string, unknown>[];
    statement.run(...params);
    return [];
  },
  cleanup: async () => {},
};

export function postgres(): Backend {
  const scratches = new Map<string, ScratchPostgresStore>();
  const config = (scratch: ScratchPostgresStore) => configSchema.parse({ store: scratch.section });
  const scratchOf = (l: Ledger) => scratches.get(l.dir)!;
  return {
    name: 'postgres',
    async open(dir) {
      const scratch = scratches.get(dir) ?? (await scratchPostgresStore('schema'));
      scratches.set(dir, scratch);
      return openStore(config(scratch), dir);
    },
    reader: (l) => eventSourceOpener(config(scratchOf(l)), l.dir, l.dir),
    async sql(l, text, ...params) {
      const scratch = scratchOf(l);
      const client = new pg.Client({
        connectionString: scratch.url,
        options: `-c search_path=${scratch.schema}`,
      });
      await client.connect();
      try {
        return (await client.query(text, params)).rows as Record<string, unknown>[];
      } finally {
        await client.end();
      }
    },
    async cleanup() {
      for (const scratch of scratches.values()) await scratch.drop();
      scratches.clear();
    },
  };
}

export async function withBackendLedger(
  backend: Backend,
  spec: LedgerSpec,
  body: (l: Ledger) => Promise<void>,
): Promise<void> {
  try {
    await withLedger(spec, body, backend.open);
  } finally {
    await backend.cleanup();
  }
}
