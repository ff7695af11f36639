import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { purgeRecorded } from '../../src/cli/commands/purge.js';
import { canonicalJson } from '../../src/core/canonical-json.js';
import { exportBundle } from '../../src/ledger/bundle.js';
import { verifyBundle } from '../../src/ledger/bundle-verify.js';
import { Checkpointer } from '../../src/ledger/checkpointer.js';
import { signingKeyFromPrivate } from '../../src/ledger/keyring.js';
import { Recorder } from '../../src/ledger/recorder.js';
import { buildLedger, draftFor, sessionName } from './fixture.js';
import { forgedBundle } from './forgery.js';

test('an exported bundle verifies with nothing but itself', async () => {
  const ledger = await buildLedger({
    order: [0, 1, 0, 1, 0, 2, 1],
    checkpointsAfter: [2, 4],
    ended: new Set([0]),
    texts: ['héllo "quoted"', 'line\nbreak'],
  });
  for (const [session, count, complete] of [
    [0, 3, true],
    [1, 3, false],
  ] as const) {
    const text = await exportBundle(ledger.store.ledger, sessionName(session), ledger.keys.keyring, {
      source: ledger.store.eventSource,
    });
    const report = verifyBundle(Buffer.from(text));
    assert.equal(report.fault, null);
    assert.equal(report.events, count);
    assert.equal(report.complete, complete);
    assert.equal(report.session, sessionName(session));
    assert.equal(verifyBundle(`${text}\n`).ok, true);
  }
  await ledger.store.close();
});

test('export makes a checkpoint when none covers the session yet', async () => {
  const ledger = await buildLedger({ order: [0, 1], checkpointsAfter: [] });
  const recorder = new Recorder(ledger.store.ledger);
  await recorder.init();
  const checkpointer = new Checkpointer({
    store: ledger.store.ledger,
    recorder,
    signer: ledger.keys.signer,
    anchorFile: ledger.anchor,
  });
  await checkpointer.start();
  await recorder.append(draftFor(1, 5));
  const text = await exportBundle(ledger.store.ledger, sessionName(1), ledger.keys.keyring, {
    checkpointNow: () => checkpointer.checkpointNow(),
  });
  const report = verifyBundle(text);
  assert.equal(report.ok, true);
  assert.equal(report.checkpoint?.size, 3);
  await checkpointer.stop();
  assert.equal((await ledger.verify()).ok, true);
  await ledger.store.close();
});

test('a purged payload verifies only with the purge record that names it, proven in the signed log', async () => {
  const ledger = await buildLedger({ order: [0, 0, 0], checkpointsAfter: [] });
  await purgeRecorded(ledger.store, '2025-01-01T00:00:01.500Z', null);
  // A checkpoint that covers the purge record (as the gateway's next one would).
  const recorder = new Recorder(ledger.store.ledger);
  await recorder.init();
  const checkpointer = new Checkpointer({
    store: ledger.store.ledger,
    recorder,
    signer: ledger.keys.signer,
    anchorFile: ledger.anchor,
  });
  await checkpointer.start();
  await checkpointer.stop();
  const text = await exportBundle(ledger.store.ledger, sessionName(0), ledger.keys.keyring);
  // Without the purge record, the same bundle has a missing payload nothing explains.
  const stripped = JSON.parse(text);
  delete stripped.purges;
  const bare = verifyBundle(canonicalJson(stripped));
  assert.equal(bare.ok, false, 'without the record, a missing payload is unexplained');
  assert.equal(bare.fault?.kind, 'payload_missing');
  assert.equal(bare.fault?.index, 0);

  const report = verifyBundle(text);
  assert.equal(report.ok, true, JSON.stringify(report.fault));
  assert.equal(report.purged, 2);
  assert.deepEqual(report.purgeRecords, [4]);

  const bundle = JSON.parse(text);
  const tampered = (change: (b: typeof bundle) => void) => {
    const copy = structuredClone(bundle);
    change(copy);
    return verifyBundle(canonicalJson(copy));
  };
  // A record that names less than what is missing.
  const narrowed = tampered((b) => {
    b.purges[0].payload.ranges = [[0, 0]];
    b.purges[0].payload.count = 1;
  });
  assert.equal(narrowed.fault?.kind, 'payload_mismatch');
  // A forged record: its header and proof do not fit the signed log.
  const forged = tampered((b) => {
    b.purges[0].index = 3;
  });
  assert.equal(forged.ok, false);
  // A real event of another type passed off as a purge record.
  const retyped = tampered((b) => {
    b.purges[0].type = 'audit.viewed';
  });
  assert.equal(retyped.fault?.kind, 'bundle_malformed');
  // A third payload erased in the bundle: not named by the record.
  const erased = tampered((b) => {
    b.events[2].payload = null;
  });
  assert.equal(erased.fault?.kind, 'payload_missing');
  assert.equal(erased.fault?.index, 2);
  await ledger.store.close();
});

test('any changed byte in a bundle fails verification', async () => {
  const ledger = await buildLedger({
    order: [0, 1, 0, 1, 0],
    checkpointsAfter: [3],
    ended: new Set([0]),
    texts: ['a', 'b"c'],
  });
  const bundle = Buffer.from(await exportBundle(ledger.store.ledger, sessionName(0), ledger.keys.keyring));
  await ledger.store.close();
  assert.equal(verifyBundle(bundle).ok, true);
  // Every position, with a bit flip chosen by fast-check for each.
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 255 }), { minLength: bundle.length, maxLength: bundle.length }),
      (masks) => {
        for (let i = 0; i < bundle.length; i++) {
          const changed = Buffer.from(bundle);
          changed[i]! ^= masks[i]!;
          const report = verifyBundle(changed);
          assert.equal(report.ok, false, `byte ${i} (${String.fromCharCode(bundle[i]!)}) changed unnoticed`);
        }
      },
    ),
    { numRuns: 2 },
  );
});

test('a bundle forged with a key of its own is trusted only as far as that key: the verifier brings the keys', async () => {
  const ledger = await buildLedger({ order: [0, 0], checkpointsAfter: [2], ended: new Set([0]) });
  const trusted = ledger.keys.keyring;
  const genuine = await exportBundle(ledger.store.ledger, sessionName(0), trusted);
  await ledger.store.close();
  const forger = signingKeyFromPrivate(generateKeyPairSync('ed25519').privateKey);
  const forged = forgedBundle(forger, sessionName(0));
  // Alone, a bundle can only say that it is consistent with the key it carries, and says so.
  const alone = verifyBundle(forged);
  assert.equal(alone.ok, true);
  assert.equal(alone.keyTrusted, false);
  // With the operator's published keys, the forger's key is a fault.
  const checked = verifyBundle(forged, trusted);
  assert.equal(checked.ok, false);
  assert.equal(checked.fault?.kind, 'unknown_key');
  assert.equal(checked.keyTrusted, false);
  // The forger's key under the genuine key's id is not a key the verifier holds either.
  const relabelled = forged.replace(forger.keyId, ledger.keys.signer.keyId);
  assert.equal(verifyBundle(relabelled, trusted).ok, false);
  const good = verifyBundle(genuine, trusted);
  assert.equal(good.fault, null);
  assert.equal(good.keyTrusted, true);
});

test('numbers and nesting JSON cannot encode canonically are malformed bundles, not crashes', () => {
  const signer = signingKeyFromPrivate(generateKeyPairSync('ed25519').privateKey);
  const bundle = forgedBundle(signer, 'sess-x');
  assert.equal(verifyBundle(bundle).ok, true);
  for (const text of [
    bundle.replace('"reason":"done"', '"reason":1e400'),
    bundle.replace('"reason":"done"', '"reason":-1e999'),
    `${'['.repeat(200_000)}${']'.repeat(200_000)}`,
  ]) {
    const report = verifyBundle(text);
    assert.equal(report.ok, false);
    assert.equal(report.fault?.kind, 'bundle_malformed');
  }
});
