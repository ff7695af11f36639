import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { VigilError } from '../../core/errors.js';
import { assertExactIntegers } from './exact-integers.js';

const refuses = (text: string) => {
  try {
    assertExactIntegers(Buffer.from(text));
    return false;
  } catch (err) {
    assert.ok(err instanceof VigilError);
    assert.equal(err.code, 'body_invalid_json');
    return true;
  }
};

test('an integer a double holds passes; one beyond 2^53 is refused, wherever it stands', () => {
  for (const ok of [
    '9007199254740991',
    '-9007199254740991',
    '0',
    '-0',
    '1e400',
    '1.5e300',
    '0.1',
    '12345678901234567890.5',
  ]) {
    assert.equal(refuses(`{"a":[${ok}]}`), false, ok);
  }
  for (const bad of [
    '9007199254740993',
    '-9007199254740993',
    '4111111111111111111',
    '100000000000000000000',
  ]) {
    assert.equal(refuses(`{"a":${bad}}`), true, bad);
    assert.equal(refuses(`{"a":[1,{"b":${bad}}]}`), true, bad);
  }
});

test('digits inside strings and keys are never read as numbers, escaped quotes included', () => {
  assert.equal(refuses('{"4111111111111111111":"4111111111111111111"}'), false);
  assert.equal(refuses('{"a":"x\\"4111111111111111111\\\\"}'), false);
  assert.equal(refuses('{"a":"x\\\\","b":4111111111111111111}'), true);
});

test('property: refused exactly when the text writes an integer that is not a safe integer', () => {
  const integerText = fc.oneof(
    fc.bigInt({ min: -(10n ** 22n), max: 10n ** 22n }).map(String),
    fc.integer().map(String),
  );
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.string(), integerText), { maxLength: 6 }), (pairs) => {
      const text = `{${pairs.map(([k, v], i) => `${JSON.stringify(`${i}${k}`)}:[${v},${JSON.stringify(v)}]`).join(',')}}`;
      const unsafe = pairs.some(([, v]) => !Number.isSafeInteger(Number(v)));
      assert.equal(refuses(text), unsafe, text);
    }),
  );
});
