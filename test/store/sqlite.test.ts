// The SQLite store passes the conformance suite, opened as the gateway opens it: through the factory
// with the configuration's store section, in both append modes (worker thread and inline); and its
// log's purge records are read through an index.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PURGE_RECORD_TYPE } from '../../src/ledger/event-source.js';
import { configSchema } from '../../src/protocols/index.js';
import { openStore } from '../../src/store/index.js';
import { SqliteStoreBundle } from '../../src/store/sqlite/sqlite-store-bundle.js';
import { type StoreFactory, storeConformance } from './conformance.js';
import { sqliteDatabase } from './sqlite-handle.js';

function sqliteFactory(settings: Record<string, unknown>): StoreFactory {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-store-'));
    const store = await openStore(configSchema.parse({ store: { type: 'sqlite' }, ...settings }), dir);
    if (!(store instanceof SqliteStoreBundle)) throw new Error('store.type sqlite opened another store');
    return {
      store,
      async cleanup() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  };
}

storeConformance('sqlite', sqliteFactory({ durability: 'normal', append_in_worker: false }));
storeConformance('sqlite (appends in a worker)', sqliteFactory({}));

test('purge records are read through their partial index, not by scanning the log', async () => {
  const { store, cleanup } = await sqliteFactory({})();
  try {
    const plan = sqliteDatabase(store)
      .prepare(`EXPLAIN QUERY PLAN SELECT idx FROM events WHERE type = '${PURGE_RECORD_TYPE}' ORDER BY idx`)
      .all() as { detail: string }[];
    assert.match(plan.map((r) => r.detail).join('; '), /USING (?:COVERING )?INDEX events_purge_records/);
  } finally {
    await cleanup();
  }
});
