// Purges are recorded, and a payload that vanished without a recorded purge is a fault: through the
// real `vigil` CLI (a child process) on a real SQLite ledger, tampered with as an attacker who can
// write the database would.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { purgeRecorded } from '../../src/cli/commands/purge.js';
import type { EventSource, PurgePlan, Store } from '../../src/core/ports.js';
import { type VerifyReport, verifyLedger } from '../../src/ledger/verify.js';
import { sqliteDatabase } from '../store/sqlite-handle.js';
import { runCli } from '../support/cli.js';
import { startTestGateway, TOKENS } from '../support/gateway.js';
import { buildLedger, type Ledger, sessionName } from './fixture.js';

// Event n of the fixture is recorded at 2025-01-01T00:00:00Z + n seconds.
const timeOf = (n: number) => new Date(Date.UTC(2025, 0, 1) + n * 1000).toISOString();

async function ledgerOnDisk(order: number[]): Promise<Ledger> {
  const ledger = await buildLedger({ order, checkpointsAfter: [], ended: new Set([0]) });
  await ledger.store.close();
  return ledger;
}

async function verify(ledger: Ledger): Promise<{ code: number | null; report: VerifyReport; text: string }> {
  const json = await runCli(['--data', ledger.dir, 'verify', '--json']);
  const text = await runCli(['--data', ledger.dir, 'verify']);
  assert.equal(json.code, text.code, 'the JSON and the text report agree on the exit code');
  return { code: json.code, report: JSON.parse(json.stdout) as VerifyReport, text: text.stdout };
}

function withDb<T>(ledger: Ledger, body: (db: Database.Database) => T): T {
  const db = new Database(ledger.dbPath);
  try {
    return body(db);
  } finally {
    db.close();
  }
}

const nullPayload = (ledger: Ledger, index: number) =>
  withDb(ledger, (db) => db.prepare('UPDATE events SET payload = NULL WHERE idx = ?').run(index).changes);

const payloadsPresent = (ledger: Ledger): number[] =>
  withDb(ledger, (db) =>
    (
      db.prepare('SELECT idx FROM events WHERE payload IS NOT NULL ORDER BY idx').all() as { idx: number }[]
    ).map((r) => r.idx),
  );

test('a payload set to NULL in the database, with no recorded purge, fails verify naming the event', {
  timeout: 180_000,
}, async () => {
  const ledger = await ledgerOnDisk([0, 1, 0, 1, 0, 1]);
  try {
    assert.equal((await verify(ledger)).code, 0, 'untouched, it verifies');
    assert.equal(nullPayload(ledger, 3), 1);
    const { code, report, text } = await verify(ledger);
    assert.equal(code, 1);
    assert.equal(report.fault?.kind, 'payload_missing');
    assert.equal(report.fault?.index, 3);
    assert.equal(report.fault?.sessionId, sessionName(1));
    assert.equal(report.fault?.eventType, 'llm.request');
    assert.match(text, /TAMPERED \[payload_missing\] at event 3, session sess-1 seq 1: .*llm\.request/);
    assert.doesNotMatch(text, /purged payloads/);
  } finally {
    rmSync(ledger.dir, { recursive: true, force: true });
  }
});

test('vigil purge records a ledger.purged event naming exactly what it drops; verify reports them as purged', {
  timeout: 180_000,
}, async () => {
  // Events 0..5; a purge before event 3's time drops 0, 1, 2. Event 1 was purged before (recorded),
  // so the second purge names only what it drops itself.
  const ledger = await ledgerOnDisk([0, 1, 0, 1, 0, 1]);
  try {
    const run = await runCli([
      '--data',
      ledger.dir,
      'purge',
      '--before',
      timeOf(3),
      '--reason',
      'retention: 90 days',
      '--json',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout) as { purged: number; record: number; ranges: number[][] };
    assert.equal(out.purged, 3);
    assert.deepEqual(out.ranges, [[0, 2]]);
    assert.equal(out.record, 7, 'the record follows the 6 events and its session.start');

    const record = withDb(
      ledger,
      (db) =>
        db
          .prepare('SELECT type, connection, identity, payload FROM events WHERE idx = ?')
          .get(out.record) as {
          type: string;
          connection: string;
          identity: string;
          payload: string;
        },
    );
    assert.equal(record.type, 'ledger.purged');
    assert.equal(record.connection, 'cli');
    const payload = JSON.parse(record.payload);
    assert.deepEqual(payload.ranges, [[0, 2]]);
    assert.equal(payload.count, 3);
    assert.equal(payload.before, timeOf(3));
    assert.equal(payload.reason, 'retention: 90 days');
    assert.match(payload.operator, /^local:/);
    assert.equal(JSON.parse(record.identity).subject, payload.operator);
    assert.deepEqual(
      payloadsPresent(ledger).filter((i) => i < 6),
      [3, 4, 5],
      'exactly the named payloads are gone',
    );

    const { code, report, text } = await verify(ledger);
    assert.equal(code, 0, JSON.stringify(report.fault));
    assert.equal(report.purged, 3);
    assert.deepEqual(report.purgeRecords, [out.record]);
    assert.match(text, /purged payloads: 3 event\(s\), named by 1 purge record\(s\) \(event 7\)/);
    // No gateway runs to sign it: verify says the record is not yet under a signed checkpoint.
    assert.ok(report.notes.some((n) => n.includes(`purge record(s) at event ${out.record} not yet covered`)));

    // A second purge names only what it drops now (event 1.. already gone), not the first record.
    const again = await runCli(['--data', ledger.dir, 'purge', '--before', timeOf(5), '--json']);
    const second = JSON.parse(again.stdout) as { purged: number; ranges: number[][]; record: number };
    assert.deepEqual(second.ranges, [[3, 4]]);
    assert.equal(second.purged, 2);
    const after = await verify(ledger);
    assert.equal(after.code, 0, JSON.stringify(after.report.fault));
    assert.equal(after.report.purged, 5);
    assert.deepEqual(after.report.purgeRecords, [out.record, second.record]);
  } finally {
    rmSync(ledger.dir, { recursive: true, force: true });
  }
});

test('after a recorded purge, a newer payload set to NULL is still a fault, named', {
  timeout: 180_000,
}, async () => {
  const ledger = await ledgerOnDisk([0, 1, 0, 1, 0, 1]);
  try {
    assert.equal((await runCli(['--data', ledger.dir, 'purge', '--before', timeOf(2)])).code, 0);
    assert.equal((await verify(ledger)).code, 0);
    assert.equal(nullPayload(ledger, 4), 1);
    const { code, report } = await verify(ledger);
    assert.equal(code, 1);
    assert.equal(report.fault?.kind, 'payload_missing');
    assert.equal(report.fault?.index, 4);
    assert.equal(report.fault?.sessionId, sessionName(0));
    // The event right after the purged range is not covered by proximity (and comes first in the log).
    nullPayload(ledger, 2);
    const next = await verify(ledger);
    assert.equal(next.report.fault?.kind, 'payload_missing');
    assert.equal(next.report.fault?.index, 2);
  } finally {
    rmSync(ledger.dir, { recursive: true, force: true });
  }
});

test("a purge never drops a purge record's payload, and a record cannot be erased or widened", {
  timeout: 360_000,
}, async () => {
  const ledger = await ledgerOnDisk([0, 1, 0, 1]);
  try {
    const first = JSON.parse(
      (await runCli(['--data', ledger.dir, 'purge', '--before', timeOf(1), '--json'])).stdout,
    ) as { record: number };
    // Everything before the year 2100: all payloads but the purge records'.
    const all = JSON.parse(
      (await runCli(['--data', ledger.dir, 'purge', '--before', '2100-01-01', '--json'])).stdout,
    ) as { record: number; ranges: number[][] };
    assert.ok(first.record < all.record);
    for (const [lo, hi] of all.ranges) {
      assert.ok(!(lo! <= first.record && first.record <= hi!), 'the first record is not in the second purge');
    }
    // What remains: the first record, and the second purge's own session (recorded after its plan).
    assert.deepEqual(payloadsPresent(ledger), [first.record, all.record - 1, all.record, all.record + 1]);
    const verified = await verify(ledger);
    assert.equal(verified.code, 0, JSON.stringify(verified.report.fault));

    // An attacker widening a record to cover more: the record no longer matches its hash.
    const widened = withDb(ledger, (db) => {
      const row = db.prepare('SELECT payload FROM events WHERE idx = ?').get(first.record) as {
        payload: string;
      };
      db.prepare('UPDATE events SET payload = ? WHERE idx = ?').run(
        row.payload.replace('[0,0]', '[0,1]').replace('"count":1', '"count":2'),
        first.record,
      );
      return row.payload;
    });
    const bad = await verify(ledger);
    assert.equal(bad.code, 1);
    assert.equal(bad.report.fault?.kind, 'payload_mismatch');
    assert.equal(bad.report.fault?.index, first.record);
    // ... even when only another session is checked in depth: purge records are always checked.
    const other = await runCli(['--data', ledger.dir, 'verify', '--json', '--session', sessionName(0)]);
    assert.equal(other.code, 1);
    withDb(ledger, (db) =>
      db.prepare('UPDATE events SET payload = ? WHERE idx = ?').run(widened, first.record),
    );

    // Erasing a record: a purge record's payload is never missing legitimately.
    nullPayload(ledger, all.record);
    const erased = await verify(ledger);
    assert.equal(erased.code, 1);
    assert.equal(erased.report.fault?.kind, 'payload_missing');
    // What it named is now uncovered, and comes first in the log.
    assert.equal(erased.report.fault?.index, all.ranges[0]![0]);
  } finally {
    rmSync(ledger.dir, { recursive: true, force: true });
  }
});

test('the purge is recorded before the drop: nothing is dropped unless the record is written', async () => {
  const ledger = await buildLedger({ order: [0, 0, 1, 1], checkpointsAfter: [] });
  try {
    const before = timeOf(3);
    await assert.rejects(
      ledger.store.ledger.purgePayloads(before, async () => {
        throw new Error('disk full');
      }),
      /disk full/,
    );
    assert.deepEqual(
      (
        sqliteDatabase(ledger.store)
          .prepare('SELECT COUNT(*) AS n FROM events WHERE payload IS NULL')
          .get() as {
          n: number;
        }
      ).n,
      0,
    );
    // Recorded, then the drop fails (a crash in between): payloads named but still present are fine.
    const store = ledger.store.ledger;
    const db = sqliteDatabase(ledger.store);
    const failingDrop = {
      ledgerSize: () => store.ledgerSize(),
      sessionHead: (id: string) => store.sessionHead(id),
      appendEvents: (...args: Parameters<Store['appendEvents']>) => store.appendEvents(...args),
      purgePayloads: (at: string, recordIntent: (plan: PurgePlan) => Promise<void>) =>
        store.purgePayloads(at, async (plan) => {
          await recordIntent(plan);
          throw new Error('crash before the drop');
        }),
    } as unknown as Store;
    await assert.rejects(
      purgeRecorded({ ledger: failingDrop, moduleState: ledger.store.moduleState }, before, 'crash test'),
      /crash before the drop/,
    );
    const kinds = db.prepare('SELECT type FROM events ORDER BY idx').all() as { type: string }[];
    assert.deepEqual(
      kinds.map((k) => k.type),
      [
        'llm.request',
        'llm.request',
        'llm.request',
        'llm.request',
        'session.start',
        'ledger.purged',
        'session.end',
      ],
    );
    const report = await ledger.verify();
    assert.equal(report.ok, true, JSON.stringify(report.fault));
    assert.equal(report.purged, 0);
    assert.deepEqual(report.purgeRecords, [5]);
    // Erasing that record's own payload is a fault at the record itself.
    const text = (db.prepare('SELECT payload FROM events WHERE idx = 5').get() as { payload: string })
      .payload;
    db.prepare('UPDATE events SET payload = NULL WHERE idx = 5').run();
    const erased = await ledger.verify();
    assert.equal(erased.fault?.kind, 'payload_missing');
    assert.equal(erased.fault?.index, 5);
    assert.equal(erased.fault?.eventType, 'ledger.purged');
    assert.match(erased.fault?.message ?? '', /ledger\.purged.*a purge record is never purged/);
    db.prepare('UPDATE events SET payload = ? WHERE idx = 5').run(text);
    // The payloads it named can still go, by a later purge that records itself.
    const later = await purgeRecorded(ledger.store, before, null);
    assert.deepEqual(later.plan.ranges, [[0, 2]]);
    assert.equal(later.dropped, 3);
    assert.equal((await ledger.verify()).purged, 3);
  } finally {
    await ledger.store.close();
    rmSync(ledger.dir, { recursive: true, force: true });
  }
});

test('a purge beside a running gateway: the gateway goes on recording and its checkpoint signs the record', {
  timeout: 90_000,
}, async () => {
  const gateway = await startTestGateway({ connections: [] });
  try {
    const call = () =>
      fetch(`${gateway.url}/api/whoami`, { headers: { authorization: `Bearer ${TOKENS.alice}` } });
    for (let i = 0; i < 3; i++) assert.equal((await call()).status, 200);
    // admin.action is recorded right after the answer: wait until the log holds something.
    for (let i = 0; (await gateway.store.ledger.ledgerSize()) === 0 && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const run = await runCli(['--data', gateway.dataDir, 'purge', '--before', '2100-01-01', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const purge = JSON.parse(run.stdout) as { purged: number; record: number };
    assert.ok(purge.purged > 0);
    for (let i = 0; i < 3; i++)
      assert.equal((await call()).status, 200, 'the gateway records after the purge');
  } finally {
    await gateway.close();
  }
  const json = await runCli(['--data', gateway.dataDir, 'verify', '--json']);
  const report = JSON.parse(json.stdout) as VerifyReport;
  assert.equal(json.code, 0, JSON.stringify(report.fault));
  assert.ok(report.purged > 0);
  assert.equal(report.purgeRecords.length, 1);
  assert.equal(report.notCheckpointed, 0, 'the gateway signed everything, the purge record included');
  assert.ok(!report.notes.some((n) => n.includes('purge record')), report.notes.join('; '));
  rmSync(gateway.dataDir, { recursive: true, force: true });
});

test('a purge that runs while verify reads is not mistaken for an erasure', async () => {
  const ledger = await buildLedger({ order: [0, 1, 0, 1], checkpointsAfter: [] });
  try {
    await purgeRecorded(ledger.store, timeOf(2), 'while verifying');
    const real = ledger.store.eventSource;
    let reads = 0;
    // The first read of the purge records happened before the purge: it saw none.
    const racing: EventSource = {
      ...real,
      purgeRecords: async () => (reads++ === 0 ? [] : real.purgeRecords()),
    };
    const cps = await ledger.store.ledger.listCheckpoints();
    const report = await verifyLedger(racing, cps, { keyring: ledger.keys.keyring });
    assert.equal(report.ok, true, JSON.stringify(report.fault));
    assert.equal(report.purged, 2);
    assert.equal(reads, 2, 'read again once, at the first missing payload');
    // A source that never shows the record: the missing payloads are unexplained.
    const hiding: EventSource = { ...real, purgeRecords: async () => [] };
    const hidden = await verifyLedger(hiding, cps, { keyring: ledger.keys.keyring });
    assert.equal(hidden.fault?.kind, 'payload_missing');
    assert.equal(hidden.fault?.index, 0);
  } finally {
    await ledger.store.close();
    rmSync(ledger.dir, { recursive: true, force: true });
  }
});
