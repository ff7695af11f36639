import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { cutForRecord } from './record-cut.js';

test('a cut never keeps the start of the word it falls in', () => {
  const key = 'sk-live-7f3a9c2e11b04d5e8a6f';
  const text = `connect {"key": "${key}", "to": "db"}`;
  const start = text.indexOf(key);
  for (let max = start + 1; max < start + key.length; max++) {
    const kept = cutForRecord(text, max);
    assert.equal(kept, text.slice(0, start), `cap ${max}`);
  }
  assert.equal(cutForRecord(text, start + key.length), text.slice(0, start + key.length));
  assert.equal(cutForRecord(text, text.length), text);
});

test('cuts are prefixes, end at a separator or keep a run longer than the limit, and never grow', () => {
  fc.assert(
    fc.property(
      fc.string({ maxLength: 60 }),
      fc.nat(70),
      fc.integer({ min: 1, max: 20 }),
      (text, max, maxDrop) => {
        const kept = cutForRecord(text, max, maxDrop);
        assert.ok(text.startsWith(kept));
        assert.ok(kept.length <= Math.max(max, 0) || kept === text);
        if (text.length <= max) assert.equal(kept, text);
        else if (kept.length > 0 && kept.length < max) assert.match(kept.at(-1)!, /[\s,;{}[\]<>()"'`|&]/);
        else if (kept.length === max) {
          // Kept as cut: the next character separates, or the run is longer than may be dropped.
          const next = text[max]!;
          const run = /[^\s,;{}[\]<>()"'`|&]*$/.exec(kept)![0].length;
          assert.ok(/[\s,;{}[\]<>()"'`|&]/.test(next) || run > maxDrop || run === 0);
        }
      },
    ),
    { numRuns: 2000 },
  );
});
