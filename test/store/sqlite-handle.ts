// The one door from a test to the SQLite database under a store bundle: for tests that examine or
// damage SQLite rows on purpose (tamper, fail-closed, hash-only storage). Anything else goes
// through the ports, so it runs against every store.
import type Database from 'better-sqlite3';
import type { StoreBundle } from '../../src/core/ports.js';
import { SqliteStoreBundle } from '../../src/store/sqlite/sqlite-store-bundle.js';

export function sqliteDatabase(store: StoreBundle): Database.Database {
  if (!(store instanceof SqliteStoreBundle))
    throw new Error('this test examines SQLite rows: it runs on the SQLite store only');
  return store.database;
}
