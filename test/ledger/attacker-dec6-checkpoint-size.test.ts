// A checkpoint row whose size no log can have. The checkpoints table's INTEGER key takes -1 with no
// change to the schema; verification reaches each stored size as the log grows past it, in size
// order, so a size that is never reached held back every checkpoint after it: no stored root was
// compared with the log. The anchor's lines, matched to their rows, then found no recomputed root
// for a size the log plainly has, and verify said the store was rolled back, which it was not (its
// events still hashed to every root). The row is now named first, by what it is.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sqliteDatabase } from '../store/sqlite-handle.js';
import { withLedger } from './fixture.js';

const SPEC = { order: [0, 1, 0, 1, 0, 1, 2, 2], checkpointsAfter: [3, 6], ended: new Set([0]) };

test('a stored checkpoint moved to size -1 is named as the row it is, not read as a rollback', async () => {
  await withLedger(SPEC, async (l) => {
    assert.equal((await l.verify()).ok, true);
    sqliteDatabase(l.store).prepare('UPDATE checkpoints SET size = -1 WHERE size = 3').run();
    const report = await l.verify();
    assert.equal(report.ok, false);
    assert.equal(report.fault?.kind, 'signature_invalid', JSON.stringify(report.fault));
    assert.equal(report.fault?.checkpointSize, -1);
  });
});

test('a row added at size -1 beside the genuine ones is named by its signature, before any other check', async () => {
  await withLedger(SPEC, async (l) => {
    const db = sqliteDatabase(l.store);
    // A copy of the last checkpoint at size -1: its signature is over size 6, so it does not verify.
    db.prepare(
      'INSERT INTO checkpoints (size, root, time, key_id, signature) SELECT -1, root, time, key_id, signature FROM checkpoints WHERE size = 6',
    ).run();
    const report = await l.verify();
    assert.equal(report.fault?.kind, 'signature_invalid', JSON.stringify(report.fault));
    assert.equal(report.fault?.checkpointSize, -1);
    // The genuine rows were untouched: without the junk one the ledger verifies.
    db.prepare('DELETE FROM checkpoints WHERE size = -1').run();
    assert.equal((await l.verify()).ok, true);
  });
});
