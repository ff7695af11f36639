// The conformance suite, unchanged, with every payload offloaded to object storage
// (`payloads.offload_above: 0`): SQLite with the filesystem objects, PostgreSQL with a local S3.
// The wrapper must be invisible through the ports (test/store/offloading.test.ts checks the rows).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { configSchema } from '../../src/protocols/index.js';
import { openStore } from '../../src/store/index.js';
import { OffloadingStoreBundle } from '../../src/store/offloading-store.js';
import { closeSharedTestPostgres, scratchPostgresStore } from '../support/postgres-store.js';
import { startTestS3, type TestS3 } from '../support/s3-server.js';
import { type StoreFactory, storeConformance } from './conformance.js';

const sqliteWithFsObjects: StoreFactory = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-store-'));
  const store = await openStore(
    configSchema.parse({ append_in_worker: false, durability: 'normal', payloads: { offload_above: 0 } }),
    dir,
  );
  if (!(store instanceof OffloadingStoreBundle)) throw new Error('payloads did not wrap the store');
  return {
    store,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

let s3: TestS3;
before(async () => {
  s3 = await startTestS3();
});
after(async () => {
  await s3?.close();
  await closeSharedTestPostgres();
});

const postgresWithS3: StoreFactory = async () => {
  const scratch = await scratchPostgresStore('schema', { max: 4 });
  const store = await openStore(
    configSchema.parse({
      store: scratch.section,
      payloads: { offload_above: 0, objects: s3.objectsSection(`${scratch.schema}/`) },
    }),
    '/nonexistent',
  );
  if (!(store instanceof OffloadingStoreBundle)) throw new Error('payloads did not wrap the store');
  return {
    store,
    async cleanup() {
      await store.close();
      await scratch.drop();
    },
  };
};

storeConformance('sqlite, payloads offloaded to fs', sqliteWithFsObjects, { offloaded: true });
storeConformance('postgres, payloads offloaded to S3', postgresWithS3, { offloaded: true });
