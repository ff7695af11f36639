import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { VigilError } from '../core/errors.js';
import { assertJsonDepth, jsonNestingDepth, MAX_JSON_DEPTH } from './json-depth.js';

/** The reference: depth computed from the parsed value (recursion is fine at these sizes). */
function referenceDepth(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(referenceDepth));
  if (value !== null && typeof value === 'object')
    return 1 + Math.max(0, ...Object.values(value).map(referenceDepth));
  return 0;
}

// Strings built from the characters that could fool a scanner: quotes, backslashes, brackets, and
// multi-byte UTF-8 (including an unpaired surrogate, which encodes as EF BF BD).
const trickyText = fc.string({
  unit: fc.constantFrom(
    '"',
    '\\',
    '[',
    ']',
    '{',
    '}',
    ',',
    ':',
    'a',
    ' ',
    'é',
    '€',
    '😀',
    '\u0000',
    '\ud800',
  ),
  maxLength: 12,
});

const { value: jsonArb } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, false, 0, -1.5, 1e21),
    trickyText,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(trickyText, tie('value'), { maxKeys: 4 }),
  ),
}));

/** Wraps a value in `levels` arrays or objects, chosen by `kinds`. */
function wrap(value: unknown, kinds: readonly boolean[]): unknown {
  return kinds.reduce<unknown>((inner, asArray) => (asArray ? [inner] : { '"[k]\\': inner }), value);
}

test('agrees with the depth of the parsed value on valid JSON, compact or indented', () => {
  fc.assert(
    fc.property(jsonArb, fc.boolean(), (value, indent) => {
      const text = JSON.stringify(value, null, indent ? 2 : undefined);
      const expected = referenceDepth(JSON.parse(text));
      assert.equal(jsonNestingDepth(text), expected);
      assert.equal(jsonNestingDepth(Buffer.from(text, 'utf8')), expected);
    }),
    { numRuns: 2000 },
  );
});

test('agrees with the reference on values nested past the limit', () => {
  fc.assert(
    fc.property(jsonArb, fc.array(fc.boolean(), { minLength: 100, maxLength: 300 }), (value, kinds) => {
      const text = JSON.stringify(wrap(value, kinds));
      assert.equal(jsonNestingDepth(text), referenceDepth(JSON.parse(text)));
    }),
    { numRuns: 200 },
  );
});

test('stopping early never changes the verdict against a limit', () => {
  fc.assert(
    fc.property(jsonArb, fc.array(fc.boolean(), { maxLength: 40 }), fc.nat(45), (value, kinds, limit) => {
      const text = JSON.stringify(wrap(value, kinds));
      const deeper = referenceDepth(JSON.parse(text)) > limit;
      assert.equal(jsonNestingDepth(text, limit) > limit, deeper);
      assert.equal(
        (() => {
          try {
            assertJsonDepth(text, limit);
            return false;
          } catch (err) {
            assert.ok(err instanceof VigilError && err.code === 'body_too_deep');
            return true;
          }
        })(),
        deeper,
      );
    }),
  );
});

test('never throws on arbitrary text or bytes, and answers a depth no greater than the openers', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ unit: 'binary' }),
        trickyText.map((s) => s.repeat(5)),
      ),
      (text) => {
        const depth = jsonNestingDepth(text);
        const openers = (text.match(/[[{]/g) ?? []).length;
        assert.ok(Number.isInteger(depth) && depth >= 0 && depth <= openers);
      },
    ),
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const depth = jsonNestingDepth(bytes);
      assert.ok(Number.isInteger(depth) && depth >= 0);
    }),
  );
});

/** The byte-at-a-time scanner strings were once crossed with: the new one must agree on any input. */
function byteByByteDepth(bytes: Uint8Array): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === 0x5c) i++;
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x5b || byte === 0x7b) deepest = Math.max(deepest, ++depth);
    else if ((byte === 0x5d || byte === 0x7d) && depth > 0) depth--;
  }
  return deepest;
}

test('crossing strings with indexOf agrees with a byte-at-a-time scan on any input, split anywhere', () => {
  const structural = fc.constantFrom(0x22, 0x5c, 0x5b, 0x5d, 0x7b, 0x7d, 0x61, 0x2c, 0xc3, 0xa9);
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(structural, { maxLength: 300 }).map((a) => Uint8Array.from(a)),
      ),
      (bytes) => {
        const expected = byteByByteDepth(bytes);
        assert.equal(jsonNestingDepth(bytes), expected);
        assert.equal(jsonNestingDepth(Buffer.from(bytes)), expected);
        // A view into a larger buffer reads only its own bytes.
        const padded = new Uint8Array(bytes.length + 8).fill(0x5b);
        padded.set(bytes, 4);
        assert.equal(jsonNestingDepth(padded.subarray(4, 4 + bytes.length)), expected);
      },
    ),
    { numRuns: 3000 },
  );
});

test('brackets in strings do not count, and an escaped quote does not end the string', () => {
  assert.equal(jsonNestingDepth('"[[[{{{"'), 0);
  assert.equal(jsonNestingDepth('["\\"[[[[", 1]'), 1);
  assert.equal(
    jsonNestingDepth('["\\\\", [[1]]]'),
    3,
    'an escaped backslash does not escape the quote after it',
  );
  assert.equal(jsonNestingDepth('{"a\\"]]]]": [[["\\u005b"]]]}'), 4);
  // Hidden closers between real openers must not let the real depth slip under the limit.
  const hidden = `${'['.repeat(64)}"\\"${']'.repeat(64)}",${'['.repeat(65)}${']'.repeat(129)}`;
  assert.equal(jsonNestingDepth(hidden), 129);
});

test('a scan of thousands of levels is iterative and the limit sits where documented', () => {
  const deep = '['.repeat(1_000_000);
  assert.equal(jsonNestingDepth(deep), 1_000_000);
  assert.equal(jsonNestingDepth(deep, MAX_JSON_DEPTH), MAX_JSON_DEPTH + 1);
  assert.doesNotThrow(() => assertJsonDepth('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH)));
  assert.throws(
    () => assertJsonDepth('['.repeat(MAX_JSON_DEPTH + 1)),
    (err: unknown) => err instanceof VigilError && err.code === 'body_too_deep' && err.status === 400,
  );
});
