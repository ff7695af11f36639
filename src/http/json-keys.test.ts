import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isVigilError } from '../core/errors.js';
import type { JsonValue } from '../core/events.js';
import { parseClientJson } from './json-body.js';
import { assertUnambiguousKeys, writtenKeyCount } from './json-keys.js';

function keysIn(v: unknown): number {
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + keysIn(x), 0);
  if (typeof v !== 'object' || v === null) return 0;
  return Object.entries(v).reduce((n, [, x]) => n + 1 + keysIn(x), 0);
}

function hasCaseVariants(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasCaseVariants);
  if (typeof v !== 'object' || v === null) return false;
  const keys = Object.keys(v);
  if (new Set(keys.map((k) => k.toLowerCase())).size !== keys.length) return true;
  if (new Set(keys.map((k) => k.toUpperCase())).size !== keys.length) return true;
  return Object.values(v).some(hasCaseVariants);
}

const refused = (text: string) => {
  try {
    assertUnambiguousKeys(Buffer.from(text), JSON.parse(text) as JsonValue);
    return false;
  } catch (err) {
    assert.ok(isVigilError(err) && err.code === 'body_invalid_json');
    return true;
  }
};

test('the keys a JSON text writes are counted however it is spaced and whatever its strings hold', () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.constantFrom(undefined, 1, '\t', ' \r\n'), (v, space) => {
      const text = JSON.stringify(v, null, space);
      assert.equal(writtenKeyCount(Buffer.from(text)), keysIn(JSON.parse(text)));
    }),
    { numRuns: 500 },
  );
});

test('a body is refused exactly when an object repeats a key or has two that differ only in case', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      const text = JSON.stringify(v);
      assert.equal(refused(text), hasCaseVariants(JSON.parse(text)), text);
    }),
    { numRuns: 500 },
  );
  fc.assert(
    fc.property(fc.string(), fc.jsonValue(), fc.jsonValue(), fc.boolean(), (key, a, b, upper) => {
      const other = upper ? key.toUpperCase() : key;
      fc.pre(other.toLowerCase() === key.toLowerCase());
      const text = `{${JSON.stringify(key)}:${JSON.stringify(a)} , ${JSON.stringify(other)} :${JSON.stringify(b)}}`;
      assert.ok(refused(text), text);
    }),
    { numRuns: 300 },
  );
});

test('examples: the shapes that would steer an upstream past what was judged', () => {
  for (const text of [
    '{"model":"small","model":"large"}',
    '{"model":"small","MODEL":"large"}',
    '{"messages":[{"role":"user","content":"hi","Content":"other"}]}',
    '{"params":{"name":"add","n\\u0061me":"delete_all"}}',
    '{"a":{"b":1},"a":{"b":2}}',
  ]) {
    assert.throws(
      () => parseClientJson(Buffer.from(text)),
      (e: unknown) => isVigilError(e) && e.code === 'body_invalid_json',
      text,
    );
  }
  assert.deepEqual(parseClientJson(Buffer.from('{"a":"x\\":","b":[{"a":1},{"a":2}]}')), {
    a: 'x":',
    b: [{ a: 1 }, { a: 2 }],
  });
});
