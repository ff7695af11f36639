// What the offloading wrapper does below the ports, on SQLite with filesystem objects and on
// PostgreSQL with a local S3: large payloads leave the row (payload NULL, the object's key beside
// it) and are written before it; readers get them back; verification names an altered or missing
// object; a failed object write fails the append and stores nothing; purge clears the reference.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { canonicalJson } from '../../src/core/canonical-json.js';
import { VigilError } from '../../src/core/errors.js';
import { payloadsSectionSchema } from '../../src/core/payloads-config.js';
import type { ObjectStore, RawEventRow } from '../../src/core/ports.js';
import { sha256Hex } from '../../src/ledger/chain.js';
import { PURGE_RECORD_TYPE } from '../../src/ledger/event-source.js';
import { Keyring } from '../../src/ledger/keyring.js';
import { purgeRecordPayload } from '../../src/ledger/purge-record.js';
import { verifyLedger } from '../../src/ledger/verify.js';
import { configSchema } from '../../src/protocols/index.js';
import { openStore } from '../../src/store/index.js';
import { FsObjectStore } from '../../src/store/objects/fs-object-store.js';
import { objectKeyFor } from '../../src/store/objects/object-key.js';
import { openObjectStore } from '../../src/store/objects/open-object-store.js';
import { OffloadingStoreBundle } from '../../src/store/offloading-store.js';
import { closeSharedTestPostgres, scratchPostgresStore } from '../support/postgres-store.js';
import { startTestS3 } from '../support/s3-server.js';
import { at, draft, recorderFor } from './conformance-support.js';
import { sqliteDatabase } from './sqlite-handle.js';

const LIMIT = 1024;
const big = (tag: string) => ({ prompt: `${tag}:${'x'.repeat(4 * LIMIT)}` });

interface Backend {
  readonly store: OffloadingStoreBundle;
  /** Another handle on the same objects, for a test to alter or delete them. */
  readonly objects: ObjectStore;
  /** Makes every later object write fail (a real failure: the folder gone, the service down). */
  breakObjects(): Promise<void>;
  /** Deletes an object behind the gateway's back. */
  deleteObject(key: string): Promise<void>;
  /** Sets an event's stored object reference, as someone with write access to the database could. */
  setReference(index: number, key: string | null): Promise<void>;
  cleanup(): Promise<void>;
}

after(() => closeSharedTestPostgres());

async function sqliteWithFs(): Promise<Backend> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-offload-'));
  const store = await openStore(
    configSchema.parse({ append_in_worker: false, payloads: { offload_above: LIMIT } }),
    dir,
  );
  assert.ok(store instanceof OffloadingStoreBundle);
  const root = join(dir, 'payloads');
  return {
    store,
    objects: new FsObjectStore(root),
    async breakObjects() {
      rmSync(root, { recursive: true, force: true });
      writeFileSync(root, 'not a folder');
    },
    async deleteObject(key) {
      rmSync(join(root, key));
    },
    async setReference(index, key) {
      sqliteDatabase(store.inner)
        .prepare('UPDATE events SET payload_object = ? WHERE idx = ?')
        .run(key, index);
    },
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresWithS3(): Promise<Backend> {
  const server = await startTestS3();
  const scratch = await scratchPostgresStore('schema', { max: 4 });
  const objectsSection = server.objectsSection('ledger/');
  const store = await openStore(
    configSchema.parse({
      store: scratch.section,
      payloads: { offload_above: LIMIT, objects: objectsSection },
    }),
    '/nonexistent',
  );
  assert.ok(store instanceof OffloadingStoreBundle);
  const { default: pg } = await import('pg');
  return {
    store,
    objects: openObjectStore(
      payloadsSectionSchema.parse({ objects: objectsSection })!.objects,
      '/nonexistent',
      '/nonexistent',
    ),
    breakObjects: () => server.stop(),
    async deleteObject(key) {
      const client = new S3Client({
        region: 'us-east-1',
        endpoint: server.endpoint,
        forcePathStyle: true,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      });
      await client.send(new DeleteObjectCommand({ Bucket: server.bucket, Key: `ledger/${key}` }));
      client.destroy();
    },
    async setReference(index, key) {
      const client = new pg.Client({ connectionString: scratch.url });
      await client.connect();
      try {
        await client.query(`UPDATE ${scratch.schema}.events SET payload_object = $1 WHERE idx = $2`, [
          key,
          index,
        ]);
      } finally {
        await client.end();
      }
    },
    async cleanup() {
      await store.close();
      await scratch.drop();
      await server.close();
    },
  };
}

async function withBackend(open: () => Promise<Backend>, body: (b: Backend) => Promise<void>): Promise<void> {
  const backend = await open();
  try {
    await body(backend);
  } finally {
    await backend.objects.close();
    await backend.cleanup();
  }
}

/** The rows exactly as the backend stores them (below the wrapper). */
async function storedRows(b: Backend): Promise<RawEventRow[]> {
  return [...(await b.store.inner.eventSource.readEvents(0, 1000))];
}

const verify = async (b: Backend) => verifyLedger(b.store.eventSource, [], { keyring: new Keyring() });

for (const [name, open] of [
  ['sqlite with fs objects', sqliteWithFs],
  ['postgres with S3 objects', postgresWithS3],
] as const) {
  describe(name, () => {
    test('a large payload leaves the row for its object, written first; small ones stay inline', () =>
      withBackend(open, async (b) => {
        const recorder = await recorderFor(b.store);
        const small = await recorder.append(draft('s', 0, { payload: { prompt: 'short' } }), 'llm');
        const large = await recorder.append(draft('s', 1, { payload: big('one') }));
        const again = await recorder.append(draft('t', 2, { payload: big('one') }), 'llm');
        const rows = await storedRows(b);
        assert.equal(rows[0]!.payload, canonicalJson(small.payload));
        assert.equal(rows[0]!.payloadObject, null);
        const key = objectKeyFor(large.payloadHash);
        for (const i of [1, 2]) {
          assert.equal(rows[i]!.payload, null, `row ${i} keeps no payload text`);
          assert.equal(rows[i]!.payloadObject, key, 'identical payloads share one object');
        }
        assert.equal(again.payloadHash, large.payloadHash);
        const object = Buffer.from((await b.objects.get(key))!).toString('utf8');
        assert.equal(object, canonicalJson(large.payload), 'the object is the text hashed');
        assert.equal(sha256Hex(object), rows[1]!.payloadHash);

        // Every reader gets the payload back.
        const session = await b.store.ledger.readSession('s');
        assert.deepEqual(session[1]!.payload, big('one'));
        assert.equal(session[1]!.payloadObject, undefined);
        assert.deepEqual((await b.store.ledger.readEvents(2, 1))[0]!.payload, big('one'));
        assert.equal((await b.store.eventSource.readEvents(1, 1))[0]!.payload, object);
        const report = await verify(b);
        assert.equal(report.ok, true, JSON.stringify(report.fault));
        assert.equal(report.checkedInDepth, 3);
      }));

    test('a page of a session fetches the objects of that page only, and ends once they reach its bound', () =>
      withBackend(open, async (b) => {
        const recorder = await recorderFor(b.store);
        for (let i = 0; i < 6; i++) await recorder.append(draft('p', i, { payload: big(`p${i}`) }), 'llm');
        await recorder.drain();
        // The same backend and objects, seen through a wrapper that counts what it fetches.
        const fetched: string[] = [];
        const counting: ObjectStore = {
          put: (key, bytes) => b.objects.put(key, bytes),
          get: (key) => {
            fetched.push(key);
            return b.objects.get(key);
          },
          has: (key) => b.objects.has(key),
          close: async () => {},
        };
        const { ledger } = new OffloadingStoreBundle(b.store.inner, counting, LIMIT);
        const page = await ledger.readSessionPage('p', { afterSeq: 1, limit: 2 });
        assert.deepEqual(
          page.events.map((e) => e.payload),
          [big('p2'), big('p3')],
        );
        assert.equal(page.nextAfterSeq, 3);
        assert.equal(fetched.length, 2, 'only the objects of the page are fetched');
        // Each object is over 4 KiB: a 5,000-byte bound ends the page at its second event.
        const bounded = await ledger.readSessionPage('p', { limit: 6, maxPayloadBytes: 5000 });
        assert.deepEqual(
          bounded.events.map((e) => e.seq),
          [0, 1],
        );
        assert.equal(bounded.nextAfterSeq, 1);
      }));

    test('an altered object is named by verification, and no reader shows its content', () =>
      withBackend(open, async (b) => {
        const recorder = await recorderFor(b.store);
        await recorder.append(draft('s', 0, { payload: { prompt: 'short' } }), 'llm');
        const large = await recorder.append(draft('s', 1, { payload: big('kept') }));
        const key = objectKeyFor(large.payloadHash);
        await b.objects.put(key, Buffer.from(canonicalJson(big('forged'))));
        const report = await verify(b);
        assert.equal(report.ok, false);
        assert.equal(report.fault?.kind, 'payload_mismatch');
        assert.equal(report.fault?.index, 1);
        assert.equal(report.fault?.sessionId, 's');
        assert.equal(report.fault?.seq, 1);
        const read = (await b.store.ledger.readSession('s'))[1]!;
        assert.equal(read.payload, null, 'the forged text is never handed out');
        assert.equal(read.payloadObject, key, 'the reference says why there is none');
      }));

    test('a deleted object is named by verification, never taken for a purge', () =>
      withBackend(open, async (b) => {
        const recorder = await recorderFor(b.store);
        await recorder.append(draft('s', 0, { payload: big('a') }), 'llm');
        const lost = await recorder.append(draft('s', 1, { payload: big('b') }));
        await b.deleteObject(objectKeyFor(lost.payloadHash));
        assert.equal((await b.store.ledger.readSession('s'))[1]!.payload, null);
        const report = await verify(b);
        assert.equal(report.fault?.kind, 'payload_object_missing');
        assert.equal(report.fault?.index, 1);
        assert.equal(report.fault?.sessionId, 's');
        assert.equal(report.fault?.seq, 1);
        assert.match(report.fault!.message, /object storage/);
      }));

    test('a reference rewritten to escape the objects names no file or other object', () =>
      withBackend(open, async (b) => {
        const recorder = await recorderFor(b.store);
        const e = await recorder.append(draft('s', 0, { payload: big('c') }), 'llm');
        for (const key of ['../../../../etc/passwd', `sha256/00/${e.payloadHash}`]) {
          await b.setReference(e.index, key);
          assert.equal((await b.store.ledger.readSession('s'))[0]!.payload, null);
          assert.equal((await verify(b)).fault?.kind, 'payload_object_missing');
        }
      }));

    test('when the object cannot be written the append fails closed and nothing is stored', () =>
      withBackend(open, async (b) => {
        const recorder = await recorderFor(b.store);
        await recorder.append(draft('s', 0, { payload: { prompt: 'short' } }), 'llm');
        await recorder.append(draft('s', 1, { payload: big('before') }));
        await b.breakObjects();
        // Readers of hashes only (checkpoints, witnesses) go on without the objects; readers of
        // payloads fail rather than take an unreachable object for a missing one.
        const hashesOnly = await b.store.eventSource.readEvents(0, 10, { payloads: false });
        assert.equal(hashesOnly.length, 2);
        assert.equal(hashesOnly[1]!.payload, null);
        await assert.rejects(b.store.eventSource.readEvents(0, 10));
        await assert.rejects(b.store.ledger.readSession('s'));
        await assert.rejects(
          recorder.append(draft('s', 2, { payload: big('lost') })),
          (err: unknown) => err instanceof VigilError && err.code === 'record_failed',
        );
        assert.equal(await b.store.ledger.ledgerSize(), 2);
        assert.equal((await b.store.ledger.sessionHead('s'))?.nextSeq, 2);
        // Small payloads need no object: they are still recorded.
        await recorder.append(draft('s', 3, { payload: { prompt: 'still here' } }));
        assert.equal(await b.store.ledger.ledgerSize(), 3);
      }));

    test('a purge clears the reference with the payload, and verification covers it', () =>
      withBackend(open, async (b) => {
        const recorder = await recorderFor(b.store);
        await recorder.append(draft('s', 0, { payload: big('old') }), 'llm');
        await recorder.append(draft('s', 1, { payload: { prompt: 'old and small' } }));
        await recorder.append(draft('s', 5, { payload: big('new') }));
        const outcome = await b.store.ledger.purgePayloads(at(2), async (plan) => {
          const payload = purgeRecordPayload({ ...plan, reason: 'retention', operator: 'local:test' });
          await recorder.append(draft('purge', 6, { type: PURGE_RECORD_TYPE, payload }), 'cli');
        });
        assert.equal(outcome.dropped, 2);
        const rows = await storedRows(b);
        assert.equal(rows[0]!.payload, null);
        assert.equal(rows[0]!.payloadObject, null, 'the purged event names no object any more');
        assert.notEqual(rows[2]!.payloadObject, null, 'a later event keeps its object');
        assert.equal((await b.store.ledger.readSession('s'))[0]!.payload, null);
        const report = await verify(b);
        assert.equal(report.ok, true, JSON.stringify(report.fault));
        assert.equal(report.purged, 2);
      }));
  });
}
