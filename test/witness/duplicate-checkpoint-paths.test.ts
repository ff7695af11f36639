// Two stored checkpoints of one size, the first with a root the log does not hash to (both signed
// by the ledger's key), handed to verifyLedger on every path it takes: this thread alone, workers
// sent rows, and workers reading their own ranges (where a checkpoint inside an accepted range is
// checked without a row-by-row pass). Each must name the forged one, not take the genuine one alone.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { SignedCheckpoint } from '../../src/core/ports.js';
import { signCheckpoint } from '../../src/ledger/checkpoint.js';
import { verifyLedger } from '../../src/ledger/verify.js';
import { sqlite } from '../ledger/backends.js';
import { withLedger } from '../ledger/fixture.js';

test('a forged checkpoint beside the genuine one of its size is a root_mismatch on every path', async () => {
  const spec = {
    order: Array.from({ length: 60 }, (_, i) => (i * 7) % 5),
    checkpointsAfter: [3, 17, 40],
  };
  await withLedger(spec, async (l) => {
    const stored = await l.store.ledger.listCheckpoints();
    const genuine = stored.find((c) => c.size === 40)!;
    const forged = signCheckpoint(l.keys.signer, 40, 'ab'.repeat(32), genuine.time);
    // As a table without its primary key lists them: the forged row first, then the genuine ones.
    const checkpoints: SignedCheckpoint[] = [forged, ...stored];
    const anchorText = readFileSync(l.anchor, 'utf8');
    const paths = {
      alone: { workers: 0 },
      rows: { workers: 2, minEvents: 0 },
      ranges: { workers: 2, minEvents: 0, reader: sqlite.reader(l) },
    };
    for (const [name, parallel] of Object.entries(paths)) {
      const report = await verifyLedger(l.store.eventSource, checkpoints, {
        keyring: l.keys.keyring,
        anchorText,
        parallel,
      });
      assert.equal(report.fault?.kind, 'root_mismatch', `${name}: ${JSON.stringify(report.fault)}`);
      assert.equal(report.fault?.checkpointSize, 40, name);
      // Without the forged row the same ledger is intact on that path.
      const honest = await verifyLedger(l.store.eventSource, stored, {
        keyring: l.keys.keyring,
        anchorText,
        parallel,
      });
      assert.equal(honest.ok, true, `${name}: ${JSON.stringify(honest.fault)}`);
    }
  });
});
