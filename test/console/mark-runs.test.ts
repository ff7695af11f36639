// The console's reading of combining-mark runs (web/src/mark-runs.ts): every mark is either drawn
// (at most four on a letter) or counted by a marker, the rest of the text is kept as it is, and
// ordinary accented text is not touched.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { splitMarkRuns } from '../../web/src/mark-runs.js';

const MARK = /\p{M}/u;
const marksIn = (s: string) => [...s].filter((c) => MARK.test(c)).length;

test('ordinary accented text is drawn as written', () => {
  for (const text of ['Tiếng Việt', 'e\u0301\u0323', 'नमस्ते', 'plain text', '']) {
    assert.deepEqual(splitMarkRuns(text), [text]);
  }
});

test('a long run keeps its letter and four marks, and counts the rest', () => {
  const parts = splitMarkRuns(`id = 1 /*a${'\u0333'.repeat(2000)}*/ or true`);
  assert.deepEqual(parts, [
    `id = 1 /*a${'\u0333'.repeat(4)}`,
    { marks: 1996, label: '⟪1996 more combining marks⟫' },
    '*/ or true',
  ]);
});

test('every mark is drawn or counted, no drawn run is longer than four, other characters stay in order', () => {
  const piece = fc.oneof(
    fc.constantFrom('a', ' ', '\n', 'é', '字', '😀'),
    fc.constantFrom('\u0301', '\u0333', '\u0489', '\u093F', '\u20DD'),
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 200 }), (pieces) => {
      const text = pieces.join('');
      const parts = splitMarkRuns(text);
      const drawn = parts.filter((p) => typeof p === 'string').join('');
      const counted = parts.reduce((n, p) => n + (typeof p === 'string' ? 0 : p.marks), 0);
      assert.equal(marksIn(drawn) + counted, marksIn(text));
      assert.doesNotMatch(drawn, /\p{M}{5}/u);
      assert.equal(drawn.replace(/\p{M}/gu, ''), text.replace(/\p{M}/gu, ''));
    }),
  );
});
