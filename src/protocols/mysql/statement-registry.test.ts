import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import type { Classification } from './sql-classifier.js';
import { KEPT_LONG_DATA_BYTES, recordedLongData, StatementRegistry } from './statement-registry.js';

const classification = {} as Classification;

// COM_STMT_SEND_LONG_DATA for every parameter of a statement with many of them: each parameter
// kept up to 64 KiB to record as a value, so one statement of 65,535 parameters could make Vigil
// hold 4 GiB. Until 5 December.
test('long data kept to record as values is bounded across a session', () => {
  const registry = new StatementRegistry();
  registry.confirmPrepared(1, 'SELECT ?', classification, 200, null);
  registry.confirmPrepared(2, 'SELECT ?', classification, 200, null);
  const chunk = Buffer.alloc(60 * 1024, 0x61);
  for (const id of [1, 2]) for (let p = 0; p < 200; p++) registry.addLongData(registry.get(id)!, p, chunk);
  assert.ok(registry.keptBytes <= KEPT_LONG_DATA_BYTES, `kept ${registry.keptBytes}`);
  // What is not kept is recorded by size and digest; what is, as its value.
  const recorded = recordedLongData(registry.get(2)!.longData);
  const digest = createHash('sha256').update(chunk).digest('hex');
  assert.deepEqual(recorded.get(199), { bytes: chunk.length, sha256: digest });
  assert.equal(recordedLongData(registry.get(1)!.longData).get(0), 'a'.repeat(chunk.length));
  // Used by an EXECUTE, closed or reset, it is released.
  registry.dropLongData(registry.get(1)!);
  registry.close(2);
  assert.equal(registry.keptBytes, 0);
  registry.confirmPrepared(3, 'SELECT ?', classification, 1, null);
  registry.addLongData(registry.get(3)!, 0, chunk);
  assert.equal(registry.keptBytes, chunk.length);
  assert.equal(recordedLongData(registry.get(3)!.longData).get(0), 'a'.repeat(chunk.length));
});
