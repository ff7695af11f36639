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

test('a text read as a string counts and refuses exactly as its UTF-8 bytes do', () => {
  // Streamed events are checked as the strings they were read as: any character in a string or a
  // key (astral, lone surrogates, escaped quotes and backslashes) leaves the count as it is in bytes.
  const anyText = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.string({
      unit: fc.constantFrom(
        '"',
        '\\',
        ':',
        ' ',
        '\t',
        'K',
        'k',
        'ſ',
        'ı',
        '\u212a',
        '\ud800',
        '\udc00',
        '😀',
      ),
    }),
  );
  const value = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      anyText,
      fc.array(tie('node'), { maxLength: 3 }),
      fc.dictionary(anyText, tie('node'), { maxKeys: 4 }),
    ),
  })).node;
  fc.assert(
    fc.property(value, fc.constantFrom(undefined, 1, '\t', ' \r\n'), (v, space) => {
      const text = JSON.stringify(v, null, space);
      assert.equal(writtenKeyCount(text), writtenKeyCount(Buffer.from(text)), text);
      const parsed = JSON.parse(text) as JsonValue;
      const asString = (() => {
        try {
          assertUnambiguousKeys(text, parsed);
          return false;
        } catch {
          return true;
        }
      })();
      assert.equal(asString, refused(text), text);
    }),
    { numRuns: 500 },
  );
});

test('keys that fold together only the Unicode way are refused beside plain ASCII keys, as a string too', () => {
  for (const text of [
    '{"id":"x","messages":[],"meſſages":[]}',
    '{"id":"x","kind":"a","\u212aind":"b"}',
    '{"id":"x","input":"a","ınput":"b"}',
    '{"choices":[{"delta":{"content":"a","Content":"b"},"index":0}]}',
    '{"choices":[{"delta":{"content":"a","content":"b"},"index":0}]}',
  ]) {
    assert.ok(refused(text), text);
    assert.throws(() => assertUnambiguousKeys(text, JSON.parse(text) as JsonValue), text);
  }
  const plain =
    '{"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"\\"a\\":"}}]}';
  assert.doesNotThrow(() => assertUnambiguousKeys(plain, JSON.parse(plain) as JsonValue));
});
