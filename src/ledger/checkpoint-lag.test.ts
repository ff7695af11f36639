import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CheckpointLag, type LagStats } from './checkpoint-lag.js';

type Op = { kind: 'commit'; count: number; dt: number } | { kind: 'cover'; back: number; dt: number };

const ops = fc.array(
  fc.oneof(
    fc.record({
      kind: fc.constant('commit' as const),
      count: fc.integer({ min: 1, max: 5 }),
      dt: fc.nat(20),
    }),
    fc.record({ kind: fc.constant('cover' as const), back: fc.nat(6), dt: fc.nat(20) }),
  ),
  { maxLength: 200 },
);

/** Runs the operations, then covers everything; returns the stats and each event's exact lag. */
function run(list: readonly Op[], maxPending: number): { stats: LagStats; exact: number[]; peak: number } {
  const lag = new CheckpointLag(100_000, maxPending);
  const batches: { end: number; count: number; at: number; covered: boolean }[] = [];
  const exact: number[] = [];
  let now = 0;
  let size = 0;
  let peak = 0;
  const cover = (upTo: number) => {
    lag.covered(upTo, now);
    for (const b of batches)
      if (!b.covered && b.end <= upTo) {
        b.covered = true;
        for (let i = 0; i < b.count; i++) exact.push(now - b.at);
      }
  };
  for (const op of list) {
    now += op.dt;
    if (op.kind === 'commit') {
      size += op.count;
      lag.committed(size, op.count, now);
      batches.push({ end: size, count: op.count, at: now, covered: false });
    } else {
      // A checkpoint at a batch boundary some batches back (checkpoints are taken after commits).
      const open = batches.filter((b) => !b.covered);
      const target = open[Math.max(0, open.length - 1 - op.back)];
      if (target) cover(target.end);
    }
    peak = Math.max(peak, lag.pendingBatches);
  }
  now += 1;
  cover(size);
  return { stats: lag.stats(), exact, peak };
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.ceil(q * sorted.length) - 1]!;
}

test('property: with room for every batch, the lag is exact', () => {
  fc.assert(
    fc.property(ops, (list) => {
      const { stats, exact } = run(list, 1_000_000);
      const sorted = [...exact].sort((a, b) => a - b);
      assert.equal(stats.events, exact.length);
      assert.equal(stats.p50Ms, quantile(sorted, 0.5));
      assert.equal(stats.p99Ms, quantile(sorted, 0.99));
      assert.equal(stats.maxMs, sorted.at(-1) ?? 0);
    }),
  );
});

test('property: past the bound, batches are merged: every event counted, its lag never understated', () => {
  fc.assert(
    fc.property(ops, fc.integer({ min: 2, max: 8 }), (list, maxPending) => {
      const { stats, exact, peak } = run(list, maxPending);
      const sorted = [...exact].sort((a, b) => a - b);
      assert.ok(peak <= maxPending, `${peak} uncovered batches kept, bound ${maxPending}`);
      assert.equal(stats.events, exact.length);
      assert.ok(stats.p50Ms >= quantile(sorted, 0.5));
      assert.ok(stats.p99Ms >= quantile(sorted, 0.99));
      assert.ok(stats.maxMs >= (sorted.at(-1) ?? 0));
    }),
  );
});

test('a replica whose commits no checkpoint of its own covers keeps a bounded list', () => {
  const lag = new CheckpointLag(100_000, 1024);
  for (let i = 1; i <= 1_000_000; i++) lag.committed(i, 1, i);
  assert.ok(lag.pendingBatches <= 1024, String(lag.pendingBatches));
  lag.covered(1_000_000, 2_000_000);
  const stats = lag.stats();
  assert.equal(stats.events, 1_000_000);
  assert.equal(stats.maxMs, 2_000_000 - 1);
});
