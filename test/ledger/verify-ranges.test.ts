// Verification with workers that read their own ranges of the log (ParallelOptions.reader) reports
// exactly what verifying on one thread reports, on SQLite and PostgreSQL: on intact ledgers (and
// the verifier's thread then reads no rows), with a fault in the middle of a range or on its first
// or last event, with a chain link broken exactly across two ranges that are each intact alone, and
// with a later range finished before an earlier range's fault.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { purgeRecorded } from '../../src/cli/commands/purge.js';
import type { EventSource, EventSourceOpener, StoreBundle } from '../../src/core/ports.js';
import { chainHashOf, encodeHeaderWith, encodeIdentity } from '../../src/ledger/chain.js';
import type { FaultKind } from '../../src/ledger/faults.js';
import { type VerifyOptions, type VerifyReport, verifyLedger } from '../../src/ledger/verify.js';
import { configSchema } from '../../src/protocols/index.js';
import { eventSourceOpener } from '../../src/store/event-source-opener.js';
import { openStore } from '../../src/store/index.js';
import { closeSharedTestPostgres } from '../support/postgres-store.js';
import { type Backend, postgres, sqlite, withBackendLedger } from './backends.js';
import { type Ledger, type LedgerSpec, laterAnsweredFirst, sessionName } from './fixture.js';

const BACKENDS = [sqlite, postgres()];
after(() => closeSharedTestPostgres());

/** The ledger's own EventSource, counting the rows this thread reads through it. */
function counted(source: EventSource): { source: EventSource; readsFrom: number[] } {
  const readsFrom: number[] = [];
  return {
    readsFrom,
    source: {
      ...source,
      readEvents(fromIndex, limit, options) {
        readsFrom.push(fromIndex);
        return source.readEvents(fromIndex, limit, options);
      },
    },
  };
}

interface Verified {
  readonly report: VerifyReport;
  /** Where this thread read rows from (the start of each readEvents). */
  readonly readsFrom: number[];
}

async function verifyReading(
  backend: Backend,
  l: Ledger,
  options: Partial<VerifyOptions> = {},
  onBatchChecked?: (start: number) => void | Promise<void>,
): Promise<Verified> {
  const { source, readsFrom } = counted(l.store.eventSource);
  const report = await verifyLedger(source, await l.store.ledger.listCheckpoints(), {
    keyring: l.keys.keyring,
    anchorText: readFileSync(l.anchor, 'utf8'),
    ...options,
    parallel: { workers: 2, minEvents: 0, reader: backend.reader(l), onBatchChecked },
  });
  return { report, readsFrom };
}

/** Both reports, asserted equal: workers reading ranges, and this thread alone. */
async function bothWays(
  backend: Backend,
  l: Ledger,
  options: Partial<VerifyOptions> = {},
): Promise<Verified> {
  const alone = await l.verify({ ...options, parallel: { workers: 0 } });
  const reading = await verifyReading(backend, l, options);
  assert.deepEqual(reading.report, alone);
  return reading;
}

/** Five sessions interleaved: with ranges of five events, each session has one event per range. */
const interleaved = (n: number): LedgerSpec => ({
  order: Array.from({ length: n }, (_, i) => (i * 7) % 5),
  checkpointsAfter: [3, 16, 17, 40, 64],
  ended: new Set([1, 3]),
});

type Tamper = 'header' | 'payload' | 'chain' | 'delete' | 'drop';
const EXPECTED: Record<Tamper, FaultKind> = {
  header: 'hash_mismatch',
  payload: 'payload_mismatch',
  chain: 'chain_broken',
  delete: 'index_gap',
  // A payload gone with no purge record naming it.
  drop: 'payload_missing',
};

async function tamper(backend: Backend, l: Ledger, kind: Tamper, index: number): Promise<void> {
  const at = (text: string, ...params: unknown[]) => backend.sql(l, text, ...params, index);
  switch (kind) {
    case 'header':
      return void (await at('UPDATE events SET connection = $1 WHERE idx = $2', 'elsewhere'));
    case 'payload':
      return void (await at('UPDATE events SET payload = $1 WHERE idx = $2', '{"n":-1}'));
    case 'chain':
      return void (await at('UPDATE events SET prev_hash = $1 WHERE idx = $2', 'ab'.repeat(32)));
    case 'delete':
      return void (await at('DELETE FROM events WHERE idx = $1'));
    case 'drop':
      return void (await at('UPDATE events SET payload = NULL WHERE idx = $1'));
  }
}

/**
 * Gives the event at `index` another prev-hash or seq and hashes its header again, so the event is
 * intact by itself: only the link to its session's previous event is broken.
 */
async function relink(
  backend: Backend,
  l: Ledger,
  index: number,
  change: { prevHash?: string; seq?: number },
): Promise<void> {
  const [row] = await backend.sql(
    l,
    'SELECT type, session_id, seq, time, connection, identity, payload_hash, prev_hash FROM events WHERE idx = $1',
    index,
  );
  const r = row as Record<string, string>;
  const seq = change.seq ?? Number(r.seq);
  const prevHash = change.prevHash ?? r.prev_hash!;
  const header = encodeHeaderWith(
    r.type!,
    r.session_id!,
    seq,
    r.time!,
    r.connection!,
    encodeIdentity(JSON.parse(r.identity!)),
    r.payload_hash!,
  );
  await backend.sql(
    l,
    'UPDATE events SET seq = $1, prev_hash = $2, hash = $3 WHERE idx = $4',
    seq,
    prevHash,
    chainHashOf(prevHash, header),
    index,
  );
}

for (const backend of BACKENDS) {
  test(`${backend.name}: an intact ledger, the same report as on one thread, and this thread reads no rows`, async () => {
    await withBackendLedger(backend, interleaved(90), async (l) => {
      for (const batchSize of [1, 7, 16, 50, 5000]) {
        const { report, readsFrom } = await bothWays(backend, l, { batchSize });
        assert.equal(report.ok, true, JSON.stringify(report.fault));
        assert.equal(report.events, 90);
        assert.deepEqual(readsFrom, [], 'the workers read every range');
      }
      const since = new Date(Date.UTC(2025, 0, 1) + 30_000).toISOString();
      const session = await bothWays(backend, l, { batchSize: 8, sessionId: sessionName(2) });
      assert.equal(session.report.checkedInDepth, 18);
      assert.equal((await bothWays(backend, l, { batchSize: 8, since })).report.checkedInDepth, 60);
      // Payloads dropped by a recorded purge: covered, and counted alike.
      await purgeRecorded(l.store, new Date(Date.UTC(2025, 0, 1) + 20_500).toISOString(), null);
      const purged = await bothWays(backend, l, { batchSize: 9 });
      assert.equal(purged.report.ok, true, JSON.stringify(purged.report.fault));
      assert.equal(purged.report.purged, 21);
      assert.equal(purged.report.purgeRecords.length, 1);
      assert.deepEqual(purged.readsFrom, []);
    });
  });

  test(`${backend.name}: a tampered event in the middle of a range, or its first or last event`, async () => {
    const batchSize = 10;
    for (const kind of Object.keys(EXPECTED) as Tamper[]) {
      for (const index of [25, 30, 39]) {
        await withBackendLedger(backend, interleaved(70), async (l) => {
          await tamper(backend, l, kind, index);
          const { report, readsFrom } = await bothWays(backend, l, { batchSize });
          assert.equal(
            report.fault?.kind,
            EXPECTED[kind],
            `${kind} at ${index}: ${JSON.stringify(report.fault)}`,
          );
          assert.equal(report.fault?.index, index);
          // The range holding the fault is read again here, and nothing before it.
          assert.equal(readsFrom[0], index - (index % batchSize));
        });
      }
    }
  });

  test(`${backend.name}: a link broken exactly across two ranges, each intact by itself`, async () => {
    // Ranges of five events: event 20's session had its previous event in the range before.
    const batchSize = 5;
    const cases = [
      { change: { prevHash: 'ab'.repeat(32) }, expected: 'chain_broken' },
      { change: { seq: 1000 }, expected: 'seq_gap' },
    ] as const;
    for (const { change, expected } of cases) {
      await withBackendLedger(backend, interleaved(70), async (l) => {
        await relink(backend, l, 20, change);
        const { report, readsFrom } = await bothWays(backend, l, { batchSize });
        assert.equal(report.fault?.kind, expected, JSON.stringify(report.fault));
        assert.equal(report.fault?.index, 20);
        // A worker vouched for the range, and stitching it on found the break.
        assert.deepEqual(readsFrom, [20]);
      });
    }
  });

  test(`${backend.name}: a checkpoint inside a range whose root the log no longer gives`, async () => {
    // Two neighbours of different sessions swapped in range [10, 20): every chain holds, and the
    // root at checkpoint 16 does not; the fault stands at that checkpoint, with the counts there.
    await withBackendLedger(backend, interleaved(70), async (l) => {
      await backend.sql(l, 'UPDATE events SET idx = -1 WHERE idx = 12');
      await backend.sql(l, 'UPDATE events SET idx = 12 WHERE idx = 13');
      await backend.sql(l, 'UPDATE events SET idx = 13 WHERE idx = -1');
      const { report, readsFrom } = await bothWays(backend, l, { batchSize: 10 });
      assert.equal(report.fault?.kind, 'root_mismatch', JSON.stringify(report.fault));
      assert.equal(report.fault?.checkpointSize, 16);
      assert.equal(report.events, 16);
      assert.deepEqual(readsFrom, [10]);
    });
  });
}

test('the first fault in the log is reported even when a worker finishes a later range first', async () => {
  // Two ranges of four events, one per worker; the first range's answer is held until the second
  // has been answered, and the second range's fault must still not stand before the first's.
  const spec: LedgerSpec = {
    order: [0, 1, 0, 1, 0, 1, 0, 1],
    checkpointsAfter: [],
    texts: ['one', 'two', 'three', 'four', 'hi', 'hi', 'hi', 'hi'],
  };
  const cases: { first: Tamper; expected: FaultKind }[] = [
    { first: 'payload', expected: 'payload_mismatch' },
    { first: 'chain', expected: 'chain_broken' },
  ];
  for (const { first, expected } of cases) {
    await withBackendLedger(sqlite, spec, async (l) => {
      await tamper(sqlite, l, first, 3);
      await tamper(sqlite, l, 'header', 4);
      const order = laterAnsweredFirst(0, 4);
      const options = { batchSize: 4 };
      const { report } = await verifyReading(sqlite, l, options, order.hook);
      assert.ok(
        order.answered.indexOf(4) < order.answered.indexOf(0),
        `the later range was answered first: ${order.answered}`,
      );
      assert.equal(report.fault?.kind, expected);
      assert.equal(report.fault?.index, 3);
      assert.deepEqual(report, await l.verify({ ...options, parallel: { workers: 0 } }));
    });
  }
});

test('payloads in object storage: workers open the whole store, and a missing object is named alike', async () => {
  // Every payload offloaded (to files under the data directory): the worker's reader fetches them.
  const config = configSchema.parse({ payloads: { offload_above: 0 } });
  const offloaded: Backend = {
    ...sqlite,
    name: 'sqlite with payloads in files',
    open: (dir) => openStore(config, dir),
    reader: (l) => eventSourceOpener(config, l.dir, l.dir),
  };
  await withBackendLedger(offloaded, interleaved(40), async (l) => {
    const intact = await bothWays(offloaded, l, { batchSize: 8 });
    assert.equal(intact.report.ok, true, JSON.stringify(intact.report.fault));
    assert.deepEqual(intact.readsFrom, []);
    const root = join(l.dir, 'payloads');
    const objects = readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    assert.ok(objects.length > 0, 'payloads were offloaded');
    rmSync(join(objects[0]!.parentPath, objects[0]!.name));
    const { report } = await bothWays(offloaded, l, { batchSize: 8 });
    assert.equal(report.fault?.kind, 'payload_object_missing', JSON.stringify(report.fault));
  });
});

test('a reader no worker can open: the workers are sent rows instead, with the same report', async () => {
  await withBackendLedger(sqlite, interleaved(40), async (l) => {
    const store: StoreBundle = l.store;
    const missing: EventSourceOpener = {
      module: new URL('./no-such-module.js', import.meta.url).href,
      data: null,
    };
    const { source, readsFrom } = counted(store.eventSource);
    const report = await verifyLedger(source, await store.ledger.listCheckpoints(), {
      keyring: l.keys.keyring,
      batchSize: 8,
      parallel: { workers: 2, minEvents: 0, reader: missing },
    });
    assert.equal(report.ok, true, JSON.stringify(report.fault));
    assert.equal(report.events, 40);
    assert.ok(readsFrom.length > 0, 'this thread read the rows');
    assert.deepEqual(
      report,
      await l.verify({ batchSize: 8, anchorText: undefined, parallel: { workers: 0 } }),
    );
  });
});
