import assert from 'node:assert/strict';
import { test } from 'node:test';
import { purgeRecorded } from '../../src/cli/commands/purge.js';
import { Recorder } from '../../src/ledger/recorder.js';
import { verifyLedger, verifyStore } from '../../src/ledger/verify.js';
import { sqliteDatabase } from '../store/sqlite-handle.js';
import { buildLedger, draftFor, sessionName } from './fixture.js';

test('an untouched ledger verifies, reporting incomplete sessions and checkpoints', async () => {
  const ledger = await buildLedger({
    order: [0, 1, 0, 2, 1, 0, 2, 2],
    checkpointsAfter: [3, 5],
    ended: new Set([0, 2]),
  });
  const report = await ledger.verify();
  assert.equal(report.fault, null);
  assert.equal(report.ok, true);
  assert.equal(report.events, 8);
  assert.equal(report.checkedInDepth, 8);
  assert.equal(report.sessions, 3);
  assert.deepEqual(report.incompleteSessions, [sessionName(1)]);
  assert.equal(report.checkpoints, 3);
  assert.equal(report.latestCheckpoint?.size, 8);
  assert.equal(report.notCheckpointed, 0);
  assert.equal(report.anchorLines, 3);
  // The generic Store path agrees with the store's own raw reader.
  const viaStore = await verifyStore(ledger.store.ledger, { keyring: ledger.keys.keyring });
  assert.equal(viaStore.ok, true);
  assert.equal(viaStore.anchorLines, null);
  await ledger.store.close();
});

test('recorded purges are reported, not faults; later events are reported as not yet checkpointed', async () => {
  const ledger = await buildLedger({ order: [0, 0, 1, 1, 0], checkpointsAfter: [] });
  // The purge records itself (session.start, ledger.purged, session.end) before dropping anything.
  const purge = await purgeRecorded(ledger.store, new Date(Date.UTC(2025, 0, 1) + 2500).toISOString(), null);
  assert.equal(purge.dropped, 3);
  assert.equal(purge.record, 6);
  // An event appended after the last checkpoint (no checkpointer running).
  const recorder = new Recorder(ledger.store.ledger);
  await recorder.init();
  await recorder.append(draftFor(1, 9));
  const report = await ledger.verify();
  assert.equal(report.ok, true, JSON.stringify(report.fault));
  assert.equal(report.purged, 3);
  assert.deepEqual(report.purgeRecords, [6]);
  assert.equal(report.notCheckpointed, 4);
  // The generic Store path finds the purge record too.
  const viaStore = await verifyStore(ledger.store.ledger, { keyring: ledger.keys.keyring });
  assert.equal(viaStore.ok, true, JSON.stringify(viaStore.fault));
  assert.deepEqual(viaStore.purgeRecords, [6]);
  await ledger.store.close();
});

test('--session checks one session in depth and --since only later events, still against every checkpoint', async () => {
  const ledger = await buildLedger({ order: [0, 1, 0, 1, 0, 1], checkpointsAfter: [2] });
  const db = sqliteDatabase(ledger.store);
  db.prepare('UPDATE events SET payload = \'{"x":1}\' WHERE idx = 1').run();
  const source = ledger.store.eventSource;
  const cps = await ledger.store.ledger.listCheckpoints();
  const base = { keyring: ledger.keys.keyring };
  const only0 = await verifyLedger(source, cps, { ...base, sessionId: sessionName(0) });
  assert.equal(only0.ok, true);
  assert.equal(only0.checkedInDepth, 3);
  const only1 = await verifyLedger(source, cps, { ...base, sessionId: sessionName(1) });
  assert.equal(only1.fault?.kind, 'payload_mismatch');
  assert.equal(only1.fault?.index, 1);
  const later = await verifyLedger(source, cps, {
    ...base,
    since: new Date(Date.UTC(2025, 0, 1) + 2000).toISOString(),
  });
  assert.equal(later.ok, true);
  assert.equal(later.checkedInDepth, 4);
  // A changed hash is still caught outside the checked window: every event's header is rehashed
  // (and the Merkle root covers every leaf).
  db.prepare("UPDATE events SET hash = '" + 'a'.repeat(64) + "', prev_hash = prev_hash WHERE idx = 5").run();
  const rooted = await verifyLedger(source, cps, { ...base, sessionId: sessionName(0) });
  assert.equal(rooted.fault?.kind, 'hash_mismatch');
  assert.equal(rooted.fault?.index, 5);
  await ledger.store.close();
});

test('progress is reported per batch', async () => {
  const ledger = await buildLedger({
    order: Array.from({ length: 25 }, (_, i) => i % 3),
    checkpointsAfter: [],
  });
  const seen: [number, number][] = [];
  const report = await ledger.verify({
    batchSize: 10,
    onProgress: (done, total) => seen.push([done, total]),
  });
  assert.equal(report.ok, true);
  assert.deepEqual(seen, [
    [10, 25],
    [20, 25],
    [25, 25],
  ]);
  await ledger.store.close();
});

test('verifying while the gateway appends: events committed meanwhile are never taken for a truncation', async () => {
  const ledger = await buildLedger({ order: [0, 1, 2, 0], checkpointsAfter: [] });
  const recorder = new Recorder(ledger.store.ledger);
  await recorder.init();
  const source = ledger.store.eventSource;
  let appended = 0;
  // The gateway commits an event to session 0 just after the verifier has read to the end of the log.
  const racing: typeof source = {
    ...source,
    readEvents: async (from, limit) => {
      const rows = await source.readEvents(from, limit);
      if (rows.length === 0 && appended === 0) {
        appended++;
        await recorder.append(draftFor(0, 100), 'llm');
      }
      return rows;
    },
    count: () => source.count(),
    sessionRecords: () => source.sessionRecords(),
    purgeRecords: () => source.purgeRecords(),
  };
  const report = await verifyLedger(racing, await ledger.store.ledger.listCheckpoints(), {
    keyring: ledger.keys.keyring,
  });
  assert.equal(appended, 1, 'an event was committed during the verification');
  assert.equal(report.fault, null, JSON.stringify(report.fault));
  await ledger.store.close();
});
