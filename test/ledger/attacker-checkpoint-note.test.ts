// An insider who can write the database, but not read the signing key (supplied from a secret),
// puts a checkpoint row of their own in the store. At its next start (or when a replica takes over
// signing) the gateway signs its C2SP note (GET /checkpoint, sent to witnesses) from the newest
// stored checkpoint: until 6 December it signed whatever size and root that row held, so the
// ledger's key vouched, in the format transparency tools check, for a tree the log never had.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import type { StoreBundle } from '../../src/core/ports.js';
import { Checkpointer } from '../../src/ledger/checkpointer.js';
import { type LedgerSigningKey, signingKeyFromPrivate } from '../../src/ledger/keyring.js';
import { Recorder } from '../../src/ledger/recorder.js';
import { parseNote } from '../../src/ledger/signed-note.js';
import { parseCheckpointBody } from '../../src/ledger/tlog-checkpoint.js';
import { sqliteDatabase } from '../store/sqlite-handle.js';
import { withLedger } from './fixture.js';

const ORIGIN = 'vigil.test/audit';
const FORGED_ROOT = 'ab'.repeat(32);

/** What a gateway starting on `store` signs as its note: size and root, or null for none. */
async function noteAtStart(
  store: StoreBundle,
  signer: LedgerSigningKey,
  lead?: () => Promise<boolean>,
): Promise<{ note: { size: number; root: string } | null; errors: unknown[] }> {
  const recorder = new Recorder(store.ledger);
  await recorder.init();
  const errors: unknown[] = [];
  const checkpointer = new Checkpointer({
    store: store.ledger,
    recorder,
    signer,
    anchorFile: null,
    origin: ORIGIN,
    intervalMs: 3_600_000,
    onError: (err) => errors.push(err),
    ...(lead ? { lead } : {}),
  });
  await checkpointer.start();
  if (lead) await checkpointer.checkpointNow();
  const text = checkpointer.latestNote;
  await checkpointer.stop();
  const body = text === null ? null : parseCheckpointBody(parseNote(text)?.text ?? '');
  return { note: body && { size: body.size, root: body.root }, errors };
}

const spec = { order: [0, 0, 1, 1, 0, 1], checkpointsAfter: [3] };

test('a genuine stored checkpoint gets its note at start, even when signed by a key since rotated', async () => {
  await withLedger(spec, async (l) => {
    const last = l.checkpoints.at(-1)!;
    const same = await noteAtStart(l.store, l.keys.signer);
    assert.deepEqual(same.note, { size: last.size, root: last.root });
    // After a rotation the stored checkpoint is the old key's: the log itself still vouches for it.
    const rotated = signingKeyFromPrivate(generateKeyPairSync('ed25519').privateKey);
    const after = await noteAtStart(l.store, rotated);
    assert.deepEqual(after.note, { size: last.size, root: last.root });
    assert.deepEqual(after.errors, []);
  });
});

test('a checkpoint row written into the store is not signed as a note at start', async () => {
  await withLedger(spec, async (l) => {
    const last = l.checkpoints.at(-1)!;
    // The newest row's root replaced: its JSON signature no longer verifies, its root is no tree's.
    sqliteDatabase(l.store)
      .prepare('UPDATE checkpoints SET root = ? WHERE size = ?')
      .run(FORGED_ROOT, last.size);
    const { note, errors } = await noteAtStart(l.store, l.keys.signer);
    assert.notEqual(note?.root, FORGED_ROOT, 'the gateway signed a root the log does not have');
    assert.equal(note, null);
    assert.equal(errors.length, 1, 'the mismatch is reported');
  });
});

test('a checkpoint row beyond the log, or at a size the log has with another root, gets no note', async () => {
  await withLedger(spec, async (l) => {
    const db = sqliteDatabase(l.store);
    const last = l.checkpoints.at(-1)!;
    db.prepare('INSERT INTO checkpoints (size, root, time, key_id, signature) VALUES (?, ?, ?, ?, ?)').run(
      last.size + 10,
      FORGED_ROOT,
      last.time,
      last.keyId,
      last.signature,
    );
    const { note } = await noteAtStart(l.store, l.keys.signer);
    assert.equal(note, null);
  });
});

test('a replica taking over signing does not sign a note for a forged newest checkpoint', async () => {
  await withLedger(spec, async (l) => {
    const last = l.checkpoints.at(-1)!;
    let leading = false;
    const lead = async () => leading;
    const recorder = new Recorder(l.store.ledger);
    await recorder.init();
    const checkpointer = new Checkpointer({
      store: l.store.ledger,
      recorder,
      signer: l.keys.signer,
      anchorFile: null,
      origin: ORIGIN,
      intervalMs: 3_600_000,
      lead,
    });
    await checkpointer.start();
    // Another "replica's" checkpoint appears in the store while this one does not lead.
    sqliteDatabase(l.store)
      .prepare('INSERT INTO checkpoints (size, root, time, key_id, signature) VALUES (?, ?, ?, ?, ?)')
      .run(last.size + 1, FORGED_ROOT, last.time, last.keyId, last.signature);
    leading = true;
    await checkpointer.checkpointNow();
    const text = checkpointer.latestNote;
    await checkpointer.stop();
    const body = text === null ? null : parseCheckpointBody(parseNote(text)?.text ?? '');
    assert.notEqual(body?.root, FORGED_ROOT, 'the gateway signed a root the log does not have');
  });
});
