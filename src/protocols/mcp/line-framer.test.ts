// The stdio framer reads an upstream's output: the same lines whatever the chunking (split at every
// byte), and a line over the cap refused rather than buffered.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isVigilError } from '../../core/errors.js';
import { LineFramer } from './line-framer.js';

function drain(framer: LineFramer): string[] {
  const out: string[] = [];
  for (let l = framer.next(); l !== null; l = framer.next()) out.push(l.toString('utf8'));
  return out;
}

test('lines come out the same at every split point', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.string({ maxLength: 40 }).map((s) => s.replace(/[\r\n]/g, '')),
        { maxLength: 8 },
      ),
      (lines) => {
        const bytes = Buffer.from(lines.map((l) => `${l}\n`).join(''));
        const expected = lines.filter((l) => l !== '');
        for (let cut = 0; cut <= bytes.length; cut++) {
          const framer = new LineFramer(1024);
          framer.push(bytes.subarray(0, cut));
          const got = drain(framer);
          framer.push(bytes.subarray(cut));
          assert.deepEqual([...got, ...drain(framer)], expected);
          assert.equal(framer.buffered, 0);
        }
      },
    ),
    { numRuns: 200 },
  );
});

test('a line over the cap is refused, split or whole', () => {
  const long = Buffer.from(`${'x'.repeat(100)}\n`);
  for (let cut = 0; cut <= long.length; cut++) {
    const framer = new LineFramer(64);
    assert.throws(
      () => {
        framer.push(long.subarray(0, cut));
        framer.push(long.subarray(cut));
      },
      (e: unknown) => isVigilError(e) && e.code === 'message_too_large',
    );
  }
});

test('CRLF endings are tolerated', () => {
  const framer = new LineFramer(64);
  framer.push(Buffer.from('{"a":1}\r\n{"b":2}\n'));
  assert.deepEqual(drain(framer), ['{"a":1}', '{"b":2}']);
});
