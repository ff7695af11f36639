import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { extraTransferCodings } from './transfer-codings.js';

test('examples: only chunked and identity are plain', () => {
  assert.deepEqual(extraTransferCodings({}), []);
  assert.deepEqual(extraTransferCodings({ 'transfer-encoding': 'chunked' }), []);
  assert.deepEqual(extraTransferCodings({ 'transfer-encoding': ' Chunked ' }), []);
  assert.deepEqual(extraTransferCodings({ 'transfer-encoding': 'identity, chunked' }), []);
  assert.deepEqual(extraTransferCodings({ 'transfer-encoding': 'gzip, chunked' }), ['gzip']);
  assert.deepEqual(extraTransferCodings({ 'transfer-encoding': ['GZIP', 'chunked'] }), ['gzip']);
  assert.deepEqual(extraTransferCodings({ 'transfer-encoding': 'deflate;q=0.5,chunked' }), ['deflate']);
});

test('any list naming a coding besides chunked and identity, however spaced or split, names it', () => {
  const plain = fc.constantFrom('chunked', 'identity', 'CHUNKED', ' chunked ');
  const other = fc.constantFrom('gzip', 'x-gzip', 'deflate', 'br', 'compress', 'zstd', 'GZip');
  fc.assert(
    fc.property(fc.array(plain), other, fc.array(plain), fc.boolean(), (before, coding, rest, split) => {
      const list = [...before, coding, ...rest];
      const value = split ? list : list.join(',');
      assert.deepEqual(extraTransferCodings({ 'transfer-encoding': value }), [coding.trim().toLowerCase()]);
      assert.deepEqual(
        extraTransferCodings({
          'transfer-encoding': split ? [...before, ...rest] : [...before, ...rest].join(','),
        }),
        [],
      );
    }),
  );
});
