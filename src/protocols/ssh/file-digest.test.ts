import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { FileDigest } from './file-digest.js';

test('pieces in any order give the digest of the whole file', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ minLength: 1, maxLength: 50 }), { minLength: 1, maxLength: 8 }),
      fc.infiniteStream(fc.nat()),
      (pieces, randomness) => {
        let offset = 0;
        const placed = pieces.map((p) => {
          const at = offset;
          offset += p.length;
          return { at, data: Buffer.from(p) };
        });
        const shuffled = [...placed];
        const it = randomness[Symbol.iterator]();
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = it.next().value % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
        }
        const digest = new FileDigest();
        for (const p of shuffled) digest.add(p.at, p.data);
        const whole = Buffer.concat(pieces.map((p) => Buffer.from(p)));
        assert.deepEqual(digest.finish(), {
          sha256: createHash('sha256').update(whole).digest('hex'),
          size: whole.length,
          incomplete: null,
        });
      },
    ),
  );
});

test('a gap or a rewrite leaves no digest rather than a wrong one', () => {
  const gap = new FileDigest();
  gap.add(0, Buffer.from('ab'));
  gap.add(5, Buffer.from('cd'));
  assert.equal(gap.finish().sha256, null);
  const rewrite = new FileDigest();
  rewrite.add(0, Buffer.from('abcd'));
  rewrite.add(1, Buffer.from('x'));
  assert.equal(rewrite.finish().sha256, null);
});

test('contents are kept whole within the cap, and not at all beyond it', () => {
  const small = new FileDigest(8);
  small.add(4, Buffer.from('5678'));
  small.add(0, Buffer.from('1234'));
  assert.equal(small.contents()?.toString(), '12345678');
  const large = new FileDigest(8);
  large.add(0, Buffer.from('123456789'));
  assert.equal(large.contents(), null);
  assert.equal(new FileDigest().contents(), null, 'nothing is kept by default');
});
