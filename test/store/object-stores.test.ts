// The two object stores behind `payloads.objects`: the same contract against a folder and against a
// local S3 (s3rver), plus what each must refuse (keys that escape the folder, a service that is down,
// wrong credentials, an unresolvable credential reference).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { VigilError } from '../../src/core/errors.js';
import { payloadsSectionSchema } from '../../src/core/payloads-config.js';
import type { ObjectStore } from '../../src/core/ports.js';
import { sha256Hex } from '../../src/ledger/chain.js';
import { FsObjectStore } from '../../src/store/objects/fs-object-store.js';
import { isObjectKey, objectKeyFor } from '../../src/store/objects/object-key.js';
import { openObjectStore } from '../../src/store/objects/open-object-store.js';
import { S3ObjectStore } from '../../src/store/objects/s3-object-store.js';
import { startTestS3, type TestS3 } from '../support/s3-server.js';

const keyOf = (bytes: Uint8Array) => objectKeyFor(sha256Hex(Buffer.from(bytes)));

function objectStoreContract(name: string, open: () => ObjectStore) {
  describe(`${name} object store`, () => {
    test('an object written reads back byte for byte; one never written reads as null', async () => {
      const store = open();
      const bytes = randomBytes(3 * 1024 * 1024 + 7);
      const key = keyOf(bytes);
      assert.equal(await store.has(key), false);
      assert.equal(await store.get(key), null);
      await store.put(key, bytes);
      assert.equal(await store.has(key), true);
      assert.deepEqual(Buffer.from((await store.get(key))!), bytes);
      await store.close();
    });

    test('writing a key again replaces the object whole', async () => {
      const store = open();
      const key = keyOf(Buffer.from('first'));
      await store.put(key, Buffer.from('first, longer text'));
      await store.put(key, Buffer.from('first'));
      assert.equal(Buffer.from((await store.get(key))!).toString(), 'first');
      await store.close();
    });

    test('an empty object is an object, not a missing one', async () => {
      const store = open();
      const key = keyOf(new Uint8Array());
      await store.put(key, new Uint8Array());
      assert.equal(await store.has(key), true);
      assert.equal((await store.get(key))?.byteLength, 0);
      await store.close();
    });
  });
}

test('object keys are the payload hash, and only that shape is accepted back', () => {
  const hash = sha256Hex('{"a":1}');
  const key = objectKeyFor(hash);
  assert.equal(key, `sha256/${hash.slice(0, 2)}/${hash}`);
  assert.equal(isObjectKey(key), true);
  for (const bad of [
    `sha256/00/${hash}`,
    `sha256/${hash.slice(0, 2)}/${hash.toUpperCase()}`,
    `../../etc/passwd`,
    `sha256/${hash.slice(0, 2)}/../${hash}`,
    `/sha256/${hash.slice(0, 2)}/${hash}`,
    `sha256/${hash.slice(0, 2)}/${hash}\n`,
    '',
  ]) {
    assert.equal(isObjectKey(bad), false, bad);
  }
});

describe('filesystem', () => {
  const root = mkdtempSync(join(tmpdir(), 'vigil-objects-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  objectStoreContract('fs', () => new FsObjectStore(root));

  test('a write leaves no temporary file behind, and objects are readable by the owner only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-objects-'));
    const store = new FsObjectStore(dir);
    const bytes = Buffer.from('{"big":"payload"}');
    const key = keyOf(bytes);
    await store.put(key, bytes);
    const folder = join(dir, key, '..');
    assert.deepEqual(readdirSync(folder), [key.split('/').at(-1)]);
    const { statSync } = await import('node:fs');
    assert.equal(statSync(join(dir, key)).mode & 0o077, 0);
    rmSync(dir, { recursive: true, force: true });
  });

  test('a key that is not a content address never names a file (a tampered column cannot read /etc)', async () => {
    const store = new FsObjectStore(root);
    for (const key of ['../../../../etc/passwd', 'sha256/ab/../../x', '/etc/passwd']) {
      await assert.rejects(store.get(key), (err: unknown) => err instanceof VigilError);
      await assert.rejects(store.put(key, Buffer.from('x')), (err: unknown) => err instanceof VigilError);
    }
  });

  test('a relative path lives under the data directory', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-data-'));
    const config = payloadsSectionSchema.parse({})!;
    const store = openObjectStore(config.objects, dataDir, '/nonexistent');
    const bytes = Buffer.from('x');
    await store.put(keyOf(bytes), bytes);
    assert.deepEqual(readdirSync(join(dataDir, 'payloads')), ['sha256']);
    rmSync(dataDir, { recursive: true, force: true });
  });
});

describe('S3 (s3rver)', () => {
  let s3: TestS3;
  before(async () => {
    s3 = await startTestS3();
  });
  after(() => s3.close());
  const s3Store = (prefix: string, overrides: Record<string, unknown> = {}) =>
    openObjectStore(
      payloadsSectionSchema.parse({ objects: { ...s3.objectsSection(prefix), ...overrides } })!.objects,
      '/nonexistent',
      '/nonexistent',
    );
  objectStoreContract('s3', () => s3Store('ledger/'));

  test('the prefix is part of the object name in the bucket', async () => {
    const prefixed = s3Store('tenant-a/');
    const bare = s3Store('');
    const bytes = Buffer.from('{"prefixed":true}');
    const key = keyOf(bytes);
    await prefixed.put(key, bytes);
    assert.equal(await bare.has(key), false);
    assert.deepEqual(Buffer.from((await s3Store('tenant-a/').get(key))!), bytes);
    const raw = await fetch(`${s3.endpoint}/${s3.bucket}/tenant-a/${key}`);
    assert.equal(raw.status, 200);
    assert.equal(await raw.text(), '{"prefixed":true}');
    await Promise.all([prefixed.close(), bare.close()]);
  });

  test('wrong credentials fail the write rather than pretend it happened', async () => {
    // s3rver checks the key id, not the secret's signature: an unknown key id stands for both.
    process.env.VIGIL_TEST_S3_WRONG_KEY = 'NOT-A-KEY';
    const store = s3Store('', { access_key_id: 'env:VIGIL_TEST_S3_WRONG_KEY' });
    const bytes = Buffer.from('{"x":1}');
    await assert.rejects(store.put(keyOf(bytes), bytes));
    await store.close();
  });

  test('an unresolvable credential reference fails when the store is opened', () => {
    assert.throws(
      () => s3Store('', { access_key_id: 'env:VIGIL_TEST_S3_NOT_SET' }),
      (err: unknown) => err instanceof VigilError && err.code === 'secret_unresolved',
    );
  });

  test('a service that is down fails the write within the timeout', async () => {
    const down = await startTestS3();
    const store = new S3ObjectStore({
      bucket: down.bucket,
      region: 'us-east-1',
      endpoint: down.endpoint,
      prefix: '',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      requestTimeoutMs: 2000,
    });
    const bytes = Buffer.from('{"y":2}');
    await store.put(keyOf(bytes), bytes);
    await down.close();
    const started = Date.now();
    await assert.rejects(store.put(keyOf(Buffer.from('z')), Buffer.from('z')));
    await assert.rejects(store.get(keyOf(bytes)));
    assert.ok(Date.now() - started < 10_000);
    await store.close();
  });
});
