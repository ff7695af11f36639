import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { actionDigest, type DigestPart } from './action-digest.js';

/** What a part stands for: its bytes, or null. A string and its UTF-8 bytes are the same part. */
function normalized(parts: readonly DigestPart[]): string {
  return JSON.stringify(
    parts.map((p) => (p === null ? null : Buffer.from(typeof p === 'string' ? p : p).toString('hex'))),
  );
}

// Few symbols, so that different splits of the same bytes come up often.
const smallString = fc.string({ unit: fc.constantFrom('a', 'b', '\u0000', 'é'), maxLength: 4 });
const smallBytes = fc.uint8Array({ min: 0, max: 2, maxLength: 4 });
const part: fc.Arbitrary<DigestPart> = fc.oneof(fc.constant(null), smallString, smallBytes);
const parts = fc.array(part, { maxLength: 5 });

test('the encoding is pinned: tag, 32-bit big-endian length, bytes; null is tag 0 and no bytes', () => {
  // Pending requests outlive a restart, so a changed encoding would refuse every one of them.
  const expected = createHash('sha256')
    .update(Buffer.from([1, 0, 0, 0, 2]))
    .update('ab')
    .update(Buffer.from([0, 0, 0, 0, 0]))
    .update(Buffer.from([1, 0, 0, 0, 0]))
    .digest('hex');
  assert.equal(actionDigest(['ab', null, '']), expected);
  assert.equal(actionDigest([]), createHash('sha256').digest('hex'));
  assert.match(actionDigest(['SELECT 1']), /^[0-9a-f]{64}$/);
});

test('boundaries, null and the empty string all change the digest', () => {
  const distinct: DigestPart[][] = [
    [],
    [''],
    [null],
    ['', ''],
    [null, null],
    ['', null],
    [null, ''],
    ['ab', 'c'],
    ['a', 'bc'],
    ['abc'],
    ['null'],
    [new Uint8Array([0, 0, 0, 0, 0])],
  ];
  const digests = distinct.map(actionDigest);
  assert.equal(new Set(digests).size, distinct.length);
});

test('a string and its UTF-8 bytes give the same digest (the adapters may pass either)', () => {
  const text = "INSERT INTO t VALUES ('é')";
  assert.equal(actionDigest([text, '3']), actionDigest([Buffer.from(text, 'utf8'), new Uint8Array([0x33])]));
});

test('property: two part lists share a digest exactly when they stand for the same parts', () => {
  fc.assert(
    fc.property(parts, parts, (a, b) => {
      assert.equal(actionDigest(a) === actionDigest(b), normalized(a) === normalized(b));
    }),
    { numRuns: 2000 },
  );
});

test('property: the same bytes split at different places never share a digest', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ min: 0, max: 3, maxLength: 8 }),
      fc.uniqueArray(fc.nat(8), { maxLength: 4 }),
      fc.uniqueArray(fc.nat(8), { maxLength: 4 }),
      (bytes, cutsA, cutsB) => {
        const split = (cuts: number[]) => {
          const at = [...new Set(cuts.map((c) => Math.min(c, bytes.length)))].sort((x, y) => x - y);
          return [0, ...at, bytes.length]
            .slice(0, -1)
            .map((start, i, starts) => bytes.subarray(start, starts[i + 1] ?? bytes.length));
        };
        const a = split(cutsA);
        const b = split(cutsB);
        assert.equal(actionDigest(a) === actionDigest(b), normalized(a) === normalized(b));
      },
    ),
    { numRuns: 2000 },
  );
});
