// A running gateway proves a session's events against the whole log (export, the console's
// Verify) in a worker thread: built on the event loop, the proof of a two-event session stalled
// every other session's traffic for as long as reading and hashing the whole ledger takes.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { proveInProcess } from '../../src/ledger/log-proofs.js';
import { proveOffThread } from '../../src/ledger/log-proofs-off-thread.js';
import { leavesSource } from './support/leaves-reader.js';

const hashes = Array.from({ length: 1000 }, (_, i) => createHash('sha256').update(`leaf ${i}`).digest('hex'));
const reader = { module: new URL('./support/leaves-reader.ts', import.meta.url).href, data: { hashes } };

test('proofs built off the event loop are the proofs built in process', async () => {
  const prove = proveOffThread(reader);
  const indexes = [0, 1, 511, 512, 998];
  for (const size of [999, 1000]) {
    const [inWorker, inProcess] = await Promise.all([
      prove(size, indexes),
      proveInProcess(leavesSource({ hashes }))(size, indexes),
    ]);
    assert.equal(inWorker.root, inProcess.root);
    assert.deepEqual([...inWorker.proofs], [...inProcess.proofs]);
  }
});

test('a failure in the worker reaches the caller with its code, and the next proof still runs', async () => {
  const prove = proveOffThread({ ...reader, data: { hashes: hashes.slice(0, 10) } });
  await assert.rejects(prove(20, [0]), { code: 'ledger_tampered', message: /shorter than checkpoint 20/ });
  assert.equal((await prove(10, [3])).proofs.get(3)?.length, 4);
});
