// The line protocol's framer: the same lines however the bytes are split, and bounded.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { LineFramer } from '../support/line-protocol/line-module.js';

function drain(framer: LineFramer): string[] {
  const out: string[] = [];
  for (let line = framer.next(); line !== null; line = framer.next()) out.push(line);
  return out;
}

test('lines come out whole and in order, wherever the stream is split', () => {
  const line = fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => s.replace(/[\r\n]/g, ''));
  fc.assert(
    fc.property(fc.array(line, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 6 }), (lines, cuts) => {
      const bytes = Buffer.from(lines.map((l) => `${l}\n`).join(''));
      const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
      const framer = new LineFramer(4096);
      const out: string[] = [];
      let from = 0;
      for (const cut of [...at, bytes.length]) {
        framer.push(bytes.subarray(from, cut));
        from = cut;
        out.push(...drain(framer));
      }
      assert.deepEqual(out, lines);
      assert.equal(framer.buffered, 0);
    }),
  );
});

test('a line longer than the limit is refused before it is complete', () => {
  const framer = new LineFramer(16);
  framer.push(Buffer.alloc(17, 'a'));
  assert.throws(() => framer.next(), { code: 'message_too_large' });
  const exact = new LineFramer(16);
  exact.push(Buffer.from(`${'b'.repeat(16)}\n`));
  assert.equal(exact.next(), 'b'.repeat(16));
});
