// Canonical JSON is what every event hash is taken over: it must read back as the value it encodes
// and equal the plain definition (keys sorted by UTF-16 code units, stringified, joined) for any JSON
// value. (Key order cannot be checked on the parsed value: objects list integer-like keys first.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { canonicalJson } from './canonical-json.js';

/** The definition, written the obvious way. */
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => reference(v ?? null)).join(',')}]`;
  const entries = Object.keys(value)
    .sort()
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${reference((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

const json = fc.jsonValue({ maxDepth: 4 });

test('canonical JSON equals the plain definition and reads back as the value', () => {
  fc.assert(
    fc.property(json, (value) => {
      const text = canonicalJson(value);
      assert.equal(text, reference(value));
      const back = JSON.parse(text) as unknown;
      assert.deepEqual(back, JSON.parse(JSON.stringify(value)));
    }),
    { numRuns: 2000 },
  );
});

test('keys are ordered by UTF-16 code units, undefined members are left out, non-finite numbers refused', () => {
  assert.equal(
    canonicalJson({ b: 1, a: [1, 'x'], B: null, é: true, z: undefined }),
    '{"B":null,"a":[1,"x"],"b":1,"é":true}',
  );
  assert.equal(canonicalJson({ '\u{1F600}': 1, '\uFFFF': 2 }), '{"\u{1F600}":1,"\uFFFF":2}');
  assert.equal(canonicalJson([undefined, 1]), '[null,1]');
  assert.throws(() => canonicalJson({ n: Number.NaN }), /non-finite/);
});
