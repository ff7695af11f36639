import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ibanNumber, luhnNumber } from '../../src/mask/synthetic.js';
import { cardGrouping, iban, luhn, shannonEntropy } from '../../src/mask/validators.js';

test('luhn accepts generated card numbers and rejects any single-digit change', () => {
  fc.assert(
    fc.property(
      fc.integer(),
      fc.integer({ min: 0, max: 15 }),
      fc.integer({ min: 1, max: 9 }),
      (seed, pos, delta) => {
        const card = luhnNumber('4', 16, seed);
        assert.ok(luhn(card));
        const changed = card.slice(0, pos) + String((Number(card[pos]) + delta) % 10) + card.slice(pos + 1);
        assert.equal(luhn(changed), false);
      },
    ),
  );
});

test('iban accepts the mod-97 check and rejects a changed digit', () => {
  const valid = ibanNumber('DE', '370400440532013000');
  assert.ok(iban(valid));
  assert.ok(iban(valid.replace(/(.{4})/g, '$1 ')));
  assert.equal(iban(`${valid.slice(0, 5)}${(Number(valid[5]) + 1) % 10}${valid.slice(6)}`), false);
  assert.equal(iban('DE00'), false);
});

test('entropy: repeated characters have none, distinct ones log2(n)', () => {
  assert.equal(shannonEntropy('aaaa'), 0);
  assert.equal(shannonEntropy('abcd'), 2);
});

test('entropy: the ASCII fast path returns the same bits as counting code points in a Map', () => {
  const reference = (value: string): number => {
    const counts = new Map<string, number>();
    for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    let bits = 0;
    for (const n of counts.values()) bits -= (n / value.length) * Math.log2(n / value.length);
    return bits;
  };
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ unit: fc.constantFrom(...'ABCabc0123+/_-=xyz') }),
        fc.string({ unit: 'grapheme-ascii' }),
        fc.string({ unit: 'binary' }),
      ),
      (value) => {
        assert.equal(shannonEntropy(value), reference(value));
        // A second call sees no counts left over from the first.
        assert.equal(shannonEntropy(value), reference(value));
      },
    ),
    { numRuns: 500 },
  );
});

test('card numbers are run together or grouped as cards print them; a UUID grouping is not', () => {
  for (const grouped of [
    '4111111111111111',
    '4111 1111 1111 1111',
    '4111-1111-1111-1111-123',
    '3782 822463 10005',
    '3056 930902 5904',
  ]) {
    assert.ok(cardGrouping(grouped), grouped);
  }
  for (const other of [
    '41111111-1111-1111',
    '411-1111-1111-11111',
    '4111 11111 1111 111',
    '4111 1111 1111 111111',
  ]) {
    assert.ok(!cardGrouping(other), other);
  }
});
