// The purge record codec and the coverage sweep, against a reference model (fast-check).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { canonicalJson } from '../../src/core/canonical-json.js';
import { PurgeCoverage, parsePurgeRecord, purgeRecordPayload } from '../../src/ledger/purge-record.js';

/** Ascending, disjoint, non-adjacent-or-adjacent inclusive ranges, built from gaps and lengths. */
const rangesArb = fc
  .array(fc.tuple(fc.nat({ max: 5 }), fc.nat({ max: 5 })), { maxLength: 8 })
  .map((steps) => {
    const ranges: [number, number][] = [];
    let at = 0;
    for (const [gap, length] of steps) {
      const first = at + gap + (ranges.length > 0 ? 1 : 0);
      ranges.push([first, first + length]);
      at = first + length;
    }
    return ranges;
  });
const countOf = (ranges: readonly (readonly [number, number])[]) =>
  ranges.reduce((n, [a, b]) => n + b - a + 1, 0);
const timeArb = fc
  .integer({ min: 0, max: 60 })
  .map((s) => new Date(Date.UTC(2025, 0, 1) + s * 1000).toISOString());

test('a purge record round-trips through its canonical payload', () => {
  fc.assert(
    fc.property(rangesArb, timeArb, fc.option(fc.string()), (ranges, before, reason) => {
      const payload = purgeRecordPayload({
        before,
        ranges,
        count: countOf(ranges),
        reason,
        operator: 'local:x@y',
      });
      assert.deepEqual(parsePurgeRecord(canonicalJson(payload)), { before, ranges, count: countOf(ranges) });
    }),
  );
});

test('a record whose ranges overlap, go backwards or disagree with its count is not a purge record', () => {
  const ok = {
    before: '2025-01-01T00:00:00.000Z',
    ranges: [
      [0, 2],
      [5, 5],
    ],
    count: 4,
  };
  assert.notEqual(parsePurgeRecord(JSON.stringify(ok)), null);
  for (const bad of [
    { ...ok, count: 5 },
    {
      ...ok,
      ranges: [
        [0, 2],
        [2, 5],
      ],
      count: 7,
    },
    {
      ...ok,
      ranges: [
        [5, 5],
        [0, 2],
      ],
    },
    { ...ok, ranges: [[2, 0]], count: -1 },
    { ...ok, ranges: [[0, 1.5]], count: 2.5 },
    { ...ok, ranges: [[0, 2, 3]] },
    { ...ok, ranges: '0-2' },
    { ...ok, before: 5 },
    { ranges: ok.ranges, count: 4 },
  ]) {
    assert.equal(parsePurgeRecord(JSON.stringify(bad)), null, JSON.stringify(bad));
  }
  for (const text of ['', 'null', '[]', '"x"', '{']) assert.equal(parsePurgeRecord(text), null);
});

test('coverage agrees with the reference model: in a range, before the record, recorded before `before`', () => {
  const recordArb = fc.record({
    index: fc.nat({ max: 80 }),
    before: timeArb,
    ranges: rangesArb,
  });
  fc.assert(
    fc.property(
      fc.array(recordArb, { maxLength: 4 }),
      fc.array(timeArb, { minLength: 80, maxLength: 80 }),
      (records, times) => {
        const plans = records.map((r) => ({ ...r, count: countOf(r.ranges) }));
        const coverage = new PurgeCoverage(plans);
        for (let index = 0; index < times.length; index++) {
          const time = times[index]!;
          const expected = plans.some(
            (p) => index < p.index && time < p.before && p.ranges.some(([a, b]) => a <= index && index <= b),
          );
          assert.equal(coverage.covers(index, time), expected, `index ${index}`);
        }
      },
    ),
    { numRuns: 300 },
  );
});
