import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { anchorPath, parseAnchor } from '../../src/ledger/anchor.js';
import { checkCheckpointSignature, signCheckpoint } from '../../src/ledger/checkpoint.js';
import { Checkpointer } from '../../src/ledger/checkpointer.js';
import {
  keyIdOf,
  loadKeyring,
  loadLedgerKeys,
  parseSigningKey,
  rawPublicKey,
  rotateLedgerKey,
} from '../../src/ledger/keyring.js';
import { Recorder } from '../../src/ledger/recorder.js';
import { openStore } from '../../src/store/index.js';
import { draftFor } from './fixture.js';

test('a key is made at first start (0600), kept, rotated with old public keys kept', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-keys-'));
  const first = loadLedgerKeys(dir);
  assert.equal(statSync(join(dir, 'keys', 'ledger-signing-key.pem')).mode & 0o777, 0o600);
  assert.equal(first.signer.keyId, keyIdOf(rawPublicKey(first.signer.publicKey)));
  assert.equal(loadLedgerKeys(dir).signer.keyId, first.signer.keyId);
  const old = signCheckpoint(first.signer, 3, 'a'.repeat(64), '2025-01-01T00:00:00.000Z');
  const rotated = rotateLedgerKey(dir);
  assert.notEqual(rotated.signer.keyId, first.signer.keyId);
  assert.equal(loadLedgerKeys(dir).signer.keyId, rotated.signer.keyId);
  const keyring = loadKeyring(dir);
  assert.equal(keyring.entries().length, 2);
  assert.equal(checkCheckpointSignature(old, keyring), 'ok');
  assert.equal(checkCheckpointSignature({ ...old, size: 4 }, keyring), 'signature_invalid');
  assert.equal(
    checkCheckpointSignature(old, loadKeyring(mkdtempSync(join(tmpdir(), 'vigil-keys-')))),
    'unknown_key',
  );
});

test('a supplied key (seed or PEM) wins over the key file and joins the keyring', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-keys-'));
  const seed = Buffer.alloc(32, 7);
  const fromSeed = loadLedgerKeys(dir, seed.toString('base64'));
  const pem = fromSeed.signer.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  assert.equal(parseSigningKey(pem).keyId, fromSeed.signer.keyId);
  assert.equal(parseSigningKey(seed.toString('hex')).keyId, fromSeed.signer.keyId);
  assert.ok(loadKeyring(dir).get(fromSeed.signer.keyId));
  assert.throws(() => parseSigningKey('not a key'), { code: 'config_invalid' });
});

test('the checkpointer signs on its timer when the log grew, anchors first, and measures lag', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-cp-'));
  const stores = await openStore(
    { store: { type: 'sqlite' }, durability: 'normal', append_in_worker: true },
    dir,
  );
  const store = stores.ledger;
  const recorder = new Recorder(store);
  await recorder.init();
  const keys = loadLedgerKeys(dir);
  const checkpointer = new Checkpointer({
    store,
    recorder,
    signer: keys.signer,
    anchorFile: anchorPath(dir),
    intervalMs: 20,
  });
  await checkpointer.start();
  const seen: number[] = [];
  checkpointer.onCheckpoint((cp) => seen.push(cp.size));
  await Promise.all([0, 1, 2].map((i) => recorder.append(draftFor(i % 2, i))));
  while (checkpointer.checkpointedSize < 3) await new Promise((r) => setTimeout(r, 10));
  assert.equal(await checkpointer.checkpointNow(), null, 'no new checkpoint when the log did not grow');
  await recorder.append(draftFor(0, 3));
  await checkpointer.stop();
  assert.deepEqual(seen, [3, 4]);
  const anchored = parseAnchor(readFileSync(anchorPath(dir), 'utf8'));
  assert.deepEqual(anchored.checkpoints, await store.listCheckpoints());
  assert.equal(checkpointer.lag.events, 4);
  assert.ok(checkpointer.lag.p99Ms >= checkpointer.lag.p50Ms);
  // A new checkpointer over the same store rebuilds the same root.
  const again = new Checkpointer({ store, recorder, signer: keys.signer, anchorFile: anchorPath(dir) });
  await again.start();
  assert.equal(again.size, 4);
  await recorder.append(draftFor(1, 4));
  const cp = await again.checkpointNow();
  assert.equal(cp?.size, 5);
  await again.stop();
  await stores.close();
});
