// The SQLite store passes the conformance suite, opened as the gateway opens it: through the factory
// with the configuration's store section, in both append modes (worker thread and inline).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../../src/protocols/index.js';
import { openStore } from '../../src/store/index.js';
import { SqliteStoreBundle } from '../../src/store/sqlite/sqlite-store-bundle.js';
import { type StoreFactory, storeConformance } from './conformance.js';

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
