// An attacker who can write the object folder or bucket, but not the database, swaps what an
// offloaded event's object holds. The payload hash stands against them: no reader may hand over
// what they put there, and the read itself must not be theirs to steer (a link to a file of the
// gateway's, a FIFO that blocks the read, an object too large to hold). Real SQLite store with a
// real folder of objects; a local S3 (s3rver) for the bucket.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { canonicalJson } from '../../src/core/canonical-json.js';
import { VigilError } from '../../src/core/errors.js';
import type { StoreBundle } from '../../src/core/ports.js';
import { sha256Hex } from '../../src/ledger/chain.js';
import { Keyring } from '../../src/ledger/keyring.js';
import { verifyLedger } from '../../src/ledger/verify.js';
import { configSchema } from '../../src/protocols/index.js';
import { openStore } from '../../src/store/index.js';
import { FsObjectStore } from '../../src/store/objects/fs-object-store.js';
import { objectKeyFor } from '../../src/store/objects/object-key.js';
import { S3ObjectStore } from '../../src/store/objects/s3-object-store.js';
import { draft, recorderFor } from '../store/conformance-support.js';
import { startTestS3, type TestS3 } from '../support/s3-server.js';

const big = (tag: string) => ({ prompt: `${tag}:${'x'.repeat(4096)}` });

interface Offloaded {
  readonly store: StoreBundle;
  readonly dir: string;
  /** The file that holds the offloaded payload of session `s`'s event 0. */
  readonly objectFile: string;
  readonly payload: ReturnType<typeof big>;
}

/** A SQLite store offloading every payload to a folder, with one large event recorded. */
async function offloaded(): Promise<Offloaded> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-hostile-objects-'));
  const store = await openStore(
    configSchema.parse({ append_in_worker: false, payloads: { offload_above: 1024 } }),
    dir,
  );
  const recorder = await recorderFor(store);
  const payload = big('genuine');
  const event = await recorder.append(draft('s', 0, { payload }), 'llm');
  const objectFile = join(dir, 'payloads', objectKeyFor(event.payloadHash));
  assert.ok(existsSync(objectFile));
  return { store, dir, objectFile, payload };
}

const verify = (store: StoreBundle) => verifyLedger(store.eventSource, [], { keyring: new Keyring() });

async function withOffloaded(body: (o: Offloaded) => Promise<void>): Promise<void> {
  const o = await offloaded();
  try {
    await body(o);
  } finally {
    await o.store.close();
    rmSync(o.dir, { recursive: true, force: true });
  }
}

/** What every reader makes of the event: none may show anything but the genuine payload. */
async function assertNothingForeignHandedOver(store: StoreBundle, foreign: string): Promise<void> {
  const [row] = await store.eventSource.readEvents(0, 1);
  assert.ok(!row!.payload?.includes(foreign), 'the log reader (SIEM, bundles) hands over foreign bytes');
  const [event] = await store.ledger.readSession('s');
  assert.equal(event!.payload, null);
  const report = await verify(store);
  assert.equal(report.ok, false);
  assert.equal(report.fault?.kind, 'payload_mismatch', JSON.stringify(report.fault));
  assert.equal(report.fault?.sessionId, 's');
}

describe('a folder of objects', () => {
  test('an object replaced by other JSON is never handed to the log reader as the payload', () =>
    withOffloaded(async ({ store, objectFile }) => {
      // Valid JSON, so a SIEM sink would have forwarded it as the event's payload.
      writeFileSync(objectFile, canonicalJson({ prompt: 'forged answer' }));
      await assertNothingForeignHandedOver(store, 'forged answer');
    }));

  test("an object replaced by a link to a file of the gateway's is not read through", () =>
    withOffloaded(async ({ store, dir, objectFile }) => {
      const secret = join(dir, 'service-account.json');
      writeFileSync(secret, JSON.stringify({ private_key: 'sk-live-do-not-forward-4f1c' }), { mode: 0o600 });
      rmSync(objectFile);
      symlinkSync(secret, objectFile);
      await assertNothingForeignHandedOver(store, 'sk-live-do-not-forward-4f1c');
      await assert.rejects(
        new FsObjectStore(join(dir, 'payloads')).get(objectFile.slice(join(dir, 'payloads').length + 1)),
        (err: unknown) => err instanceof VigilError && err.code === 'ledger_tampered',
      );
    }));

  test('a FIFO in place of an object does not hold the read: it reads as altered', { timeout: 20_000 }, () =>
    withOffloaded(async ({ store, objectFile }) => {
      rmSync(objectFile);
      execFileSync('mkfifo', [objectFile]);
      await assertNothingForeignHandedOver(store, 'anything');
    }),
  );

  test('an object larger than any payload is refused unread', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-hostile-objects-'));
    try {
      const objects = new FsObjectStore(dir, 1024);
      const bytes = Buffer.alloc(4096, 'x');
      const key = objectKeyFor(sha256Hex(bytes));
      await objects.put(key, bytes);
      await assert.rejects(
        objects.get(key),
        (err: unknown) => err instanceof VigilError && err.code === 'ledger_tampered',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a fan-out folder swapped for a link is not written through: the append fails closed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-hostile-objects-'));
    const elsewhere = mkdtempSync(join(tmpdir(), 'vigil-elsewhere-'));
    try {
      const objects = new FsObjectStore(dir);
      const bytes = Buffer.from('{"prompt":"payload"}');
      const key = objectKeyFor(sha256Hex(bytes));
      mkdirSync(join(dir, 'sha256'), { recursive: true });
      symlinkSync(elsewhere, join(dir, 'sha256', key.split('/')[1]!));
      await assert.rejects(
        objects.put(key, bytes),
        (err: unknown) => err instanceof VigilError && err.code === 'record_failed',
      );
      assert.deepEqual(readdirSync(elsewhere), [], 'nothing was written where the link points');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});

describe('a bucket (s3rver)', () => {
  let s3: TestS3;
  before(async () => {
    s3 = await startTestS3();
  });
  after(() => s3?.close());

  test('an object larger than any payload is refused, not downloaded whole', async () => {
    const options = {
      bucket: s3.bucket,
      region: 'us-east-1',
      endpoint: s3.endpoint,
      prefix: 'hostile/',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    };
    const writer = new S3ObjectStore(options);
    const reader = new S3ObjectStore({ ...options, maxObjectBytes: 1024 });
    try {
      const bytes = Buffer.alloc(64 * 1024, 'x');
      const key = objectKeyFor(sha256Hex(bytes));
      await writer.put(key, bytes);
      await assert.rejects(
        reader.get(key),
        (err: unknown) => err instanceof VigilError && err.code === 'ledger_tampered',
      );
      const small = Buffer.from('{"a":1}');
      await writer.put(objectKeyFor(sha256Hex(small)), small);
      assert.deepEqual(Buffer.from((await reader.get(objectKeyFor(sha256Hex(small))))!), small);
    } finally {
      await writer.close();
      await reader.close();
    }
  });
});

test('an endpoint that redirects is not followed: the write fails (closed) and nothing is stored', async () => {
  const s3 = await startTestS3();
  // Every answer a redirect to the real bucket, with the signed request's path.
  const redirector = createServer((req, res) => {
    req.resume();
    res.writeHead(307, { location: `${s3.endpoint}${req.url}` }).end();
  });
  await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
  const options = {
    bucket: s3.bucket,
    region: 'us-east-1',
    prefix: '',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestTimeoutMs: 2000,
  };
  const redirected = new S3ObjectStore({
    ...options,
    endpoint: `http://127.0.0.1:${(redirector.address() as AddressInfo).port}`,
  });
  const direct = new S3ObjectStore({ ...options, endpoint: s3.endpoint });
  try {
    const bytes = Buffer.from('{"prompt":"redirected"}');
    const key = objectKeyFor(sha256Hex(bytes));
    await assert.rejects(redirected.put(key, bytes));
    assert.equal(await direct.has(key), false);
  } finally {
    await redirected.close();
    await direct.close();
    redirector.close();
    await s3.close();
  }
});

test('the genuine object still reads and verifies', () =>
  withOffloaded(async ({ store, payload }) => {
    const [row] = await store.eventSource.readEvents(0, 1);
    assert.equal(row!.payload, canonicalJson(payload));
    assert.deepEqual((await store.ledger.readSession('s'))[0]!.payload, payload);
    assert.equal((await verify(store)).ok, true);
  }));
