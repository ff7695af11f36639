// addDisjoint against the quadratic check it replaced: the same spans kept, in any order of input.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { addDisjoint, type Interval } from './span-overlap.js';

const span = fc
  .tuple(fc.nat({ max: 200 }), fc.integer({ min: 1, max: 20 }))
  .map(([start, length]) => ({ start, end: start + length }));

function naive(kept: Interval[], extra: readonly Interval[]): Interval[] {
  const out = [...kept];
  for (const s of [...extra].sort((a, b) => a.start - b.start))
    if (!out.some((k) => s.start < k.end && s.end > k.start)) out.push(s);
  return out;
}

test('addDisjoint keeps the spans the pairwise check keeps', () => {
  fc.assert(
    fc.property(fc.array(span, { maxLength: 20 }), fc.array(span, { maxLength: 20 }), (kept, extra) => {
      const expected = naive(kept, extra);
      const got = [...kept];
      addDisjoint(got, extra);
      const key = (a: Interval[]) => a.map((s) => `${s.start}-${s.end}`).sort();
      assert.deepEqual(key(got), key(expected));
    }),
  );
});
