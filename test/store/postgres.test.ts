// The PostgreSQL store passes the conformance suite, unchanged, opened as the gateway opens it:
// through openStore with the configuration's store section, each store in a fresh schema of the
// test server (this machine's, or an embedded one: VIGIL_TEST_PG=embedded).
import { after } from 'node:test';
import { configSchema } from '../../src/protocols/index.js';
import { openStore } from '../../src/store/index.js';
import { PostgresStoreBundle } from '../../src/store/postgres/postgres-store-bundle.js';
import { closeSharedTestPostgres, scratchPostgresStore } from '../support/postgres-store.js';
import { type StoreFactory, storeConformance } from './conformance.js';

const postgresFactory: StoreFactory = async () => {
  const scratch = await scratchPostgresStore('schema', { max: 4 });
  const store = await openStore(configSchema.parse({ store: scratch.section }), '/nonexistent');
  if (!(store instanceof PostgresStoreBundle)) throw new Error('store.type postgres opened another store');
  return {
    store,
    async cleanup() {
      await store.close();
      await scratch.drop();
    },
  };
};

storeConformance('postgres', postgresFactory);

after(() => closeSharedTestPostgres());
