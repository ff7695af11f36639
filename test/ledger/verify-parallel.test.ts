// Verification with worker threads reports exactly what it reports without them: on intact and
// tampered ledgers, with the faults in any batch and so in any worker, and with two faults where
// the later one's batch is finished first.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { purgeRecorded } from '../../src/cli/commands/purge.js';
import type { FaultKind } from '../../src/ledger/faults.js';
import type { VerifyOptions, VerifyReport } from '../../src/ledger/verify.js';
import { sqliteDatabase } from '../store/sqlite-handle.js';
import { runCli } from '../support/cli.js';
import {
  buildLedger,
  type Ledger,
  type LedgerSpec,
  laterAnsweredFirst,
  sessionName,
  withLedger,
} from './fixture.js';

const RUNS = Number(process.env.VIGIL_TAMPER_RUNS ?? 20);

const alone = { parallel: { workers: 0 } } as const;
const withWorkers = (onBatchChecked?: (start: number) => void | Promise<void>) =>
  ({ parallel: { workers: 2, minEvents: 0, onBatchChecked } }) as const;

/** Both reports, asserted equal; the sequential one is returned. */
async function bothWays(l: Ledger, options: Partial<VerifyOptions> = {}): Promise<VerifyReport> {
  const sequential = await l.verify({ ...options, ...alone });
  const parallel = await l.verify({ ...options, ...withWorkers() });
  assert.deepEqual(parallel, sequential);
  return sequential;
}

/** Five sessions interleaved; checkpoints inside batches and on their edges. */
const interleaved = (n: number): LedgerSpec => ({
  order: Array.from({ length: n }, (_, i) => (i * 7) % 5),
  checkpointsAfter: [3, 16, 17, 40, 64],
  ended: new Set([1, 3]),
});

test('an intact ledger: the same report with workers as without, whatever the batch size', async () => {
  await withLedger(interleaved(90), async (l) => {
    for (const batchSize of [1, 7, 16, 50, 5000]) {
      const report = await bothWays(l, { batchSize });
      assert.equal(report.ok, true, JSON.stringify(report.fault));
      assert.equal(report.events, 90);
    }
    const since = new Date(Date.UTC(2025, 0, 1) + 30_000).toISOString();
    assert.equal((await bothWays(l, { batchSize: 8, sessionId: sessionName(2) })).checkedInDepth, 18);
    assert.equal((await bothWays(l, { batchSize: 8, since })).checkedInDepth, 60);
    // Payloads dropped by a recorded purge: covered, and counted alike.
    await purgeRecorded(l.store, new Date(Date.UTC(2025, 0, 1) + 20_500).toISOString(), null);
    const purged = await bothWays(l, { batchSize: 9 });
    assert.equal(purged.ok, true, JSON.stringify(purged.fault));
    assert.equal(purged.purged, 21);
  });
});

type Tamper = 'header' | 'payload' | 'chain' | 'delete' | 'swap';
const EXPECTED: Record<Tamper, readonly FaultKind[]> = {
  header: ['hash_mismatch'],
  payload: ['payload_mismatch'],
  chain: ['chain_broken'],
  delete: ['index_gap', 'session_truncated'],
  // Two neighbours of different sessions swapped: every chain holds, the Merkle root does not.
  swap: ['root_mismatch'],
};

/** The first of the two neighbours a swap at `index` exchanges. */
const swapAt = (index: number, n: number) => Math.min(index, n - 2);

function tamper(l: Ledger, kind: Tamper, index: number, n: number): void {
  const db = sqliteDatabase(l.store);
  const at = (sql: string, ...args: unknown[]) => db.prepare(sql).run(...args, index);
  switch (kind) {
    case 'header':
      return void at('UPDATE events SET connection = ? WHERE idx = ?', 'elsewhere');
    case 'payload':
      return void at('UPDATE events SET payload = ? WHERE idx = ?', '{"n":-1}');
    case 'chain':
      return void at('UPDATE events SET prev_hash = ? WHERE idx = ?', 'ab'.repeat(32));
    case 'delete':
      return void at('DELETE FROM events WHERE idx = ?');
    case 'swap': {
      // interleaved() never puts one session twice in a row.
      const lo = swapAt(index, n);
      db.prepare('UPDATE events SET idx = -1 WHERE idx = ?').run(lo);
      db.prepare('UPDATE events SET idx = ? WHERE idx = ?').run(lo, lo + 1);
      db.prepare('UPDATE events SET idx = ? WHERE idx = -1').run(lo + 1);
    }
  }
}

/** Events in the tampered ledgers. */
const N = 70;

test('one or two faults anywhere: workers report the same first fault, whichever batch they fall in', async () => {
  const tamperArb = fc.constantFrom<Tamper>('header', 'payload', 'chain', 'delete', 'swap');
  await fc.assert(
    fc.asyncProperty(
      // Two swaps of one pair undo each other, so the pair a swap takes is unique.
      fc.uniqueArray(fc.tuple(tamperArb, fc.nat()), {
        minLength: 1,
        maxLength: 2,
        selector: ([kind, pick]) => (kind === 'swap' ? `swap ${swapAt(pick % N, N)}` : `${kind} ${pick}`),
      }),
      fc.integer({ min: 1, max: 24 }),
      async (tampers, batchSize) => {
        await withLedger(interleaved(N), async (l) => {
          // Swaps first, as they renumber: the others then land where they were meant to.
          for (const [kind, pick] of [...tampers].sort(([a], [b]) =>
            a === 'swap' ? -1 : b === 'swap' ? 1 : 0,
          )) {
            tamper(l, kind, pick % N, N);
          }
          const report = await bothWays(l, { batchSize });
          assert.ok(report.fault, 'tampering went unnoticed');
          const kinds = tampers.flatMap(([kind]) => EXPECTED[kind]);
          assert.ok(kinds.includes(report.fault.kind), JSON.stringify(report.fault));
        });
      },
    ),
    { numRuns: RUNS },
  );
});

test('the first fault in the log is reported even when a worker finishes the later fault first', async () => {
  // Two batches of four events, one per worker; the first batch's answer is held until the second
  // has been answered, so the later fault always reaches the verifier first.
  const spec: LedgerSpec = {
    order: [0, 1, 0, 1, 0, 1, 0, 1],
    checkpointsAfter: [],
    texts: ['one', 'two', 'three', 'four', 'hi', 'hi', 'hi', 'hi'],
  };
  const cases: { first: Tamper; expected: FaultKind }[] = [
    // Found by the worker that hashes batch one.
    { first: 'payload', expected: 'payload_mismatch' },
    // Found on the verifier's thread while it takes batch one.
    { first: 'chain', expected: 'chain_broken' },
  ];
  for (const { first, expected } of cases) {
    await withLedger(spec, async (l) => {
      tamper(l, first, 3, 8);
      tamper(l, 'header', 4, 8);
      const order = laterAnsweredFirst(0, 4);
      const options = { batchSize: 4 };
      const parallel = await l.verify({ ...options, ...withWorkers(order.hook) });
      assert.deepEqual(order.answered, [4, 0], 'the later batch was answered first');
      assert.equal(parallel.fault?.kind, expected);
      assert.equal(parallel.fault?.index, 3);
      assert.deepEqual(parallel, await l.verify({ ...options, ...alone }));
    });
  }
});

test('a row no worker can judge (a BLOB in a text column) is checked on the verifier thread, with the rest of its batch', async () => {
  await withLedger(interleaved(40), async (l) => {
    const db = sqliteDatabase(l.store);
    db.prepare("UPDATE events SET subject = X'00' WHERE idx = 11").run();
    const session = (db.prepare('SELECT session_id AS s FROM events WHERE idx = 11').get() as { s: string })
      .s;
    const other = session === sessionName(0) ? sessionName(1) : sessionName(0);
    // Not checked in depth, the row is intact as far as its chain and leaf go.
    assert.equal((await bothWays(l, { batchSize: 8, sessionId: other })).ok, true);
    const inDepth = await bothWays(l, { batchSize: 8 });
    assert.equal(inDepth.fault?.kind, 'hash_mismatch');
    assert.equal(inDepth.fault?.index, 11);
  });
});

test('vigil verify on a log long enough for workers: the same report as verifying on one thread', {
  timeout: 120_000,
}, async () => {
  const n = 20_000;
  const l = await buildLedger({
    order: Array.from({ length: n }, (_, i) => i % 97),
    checkpointsAfter: [5_000, 12_345],
  });
  await l.store.close();
  try {
    const intact = await runCli(['--data', l.dir, 'verify', '--json']);
    assert.equal(intact.code, 0, intact.stderr);
    assert.equal((JSON.parse(intact.stdout) as VerifyReport).events, n);
    const db = new Database(l.dbPath);
    db.prepare('UPDATE events SET payload = ? WHERE idx = ?').run('{"n":-1}', 15_432);
    db.close();
    const tampered = await runCli(['--data', l.dir, 'verify', '--json']);
    assert.equal(tampered.code, 1);
    // The CLI adds which keys it trusted; the rest is the verifier's report.
    const { keys, ...report } = JSON.parse(tampered.stdout) as VerifyReport & { keys: string };
    assert.equal(keys, 'data-directory');
    assert.equal(report.fault?.kind, 'payload_mismatch');
    assert.equal(report.fault?.index, 15_432);
    await l.reopen();
    const alone = await l.verify({ parallel: { workers: 0 } });
    await l.store.close();
    assert.deepEqual(report, JSON.parse(JSON.stringify(alone)));
  } finally {
    rmSync(l.dir, { recursive: true, force: true });
  }
});
