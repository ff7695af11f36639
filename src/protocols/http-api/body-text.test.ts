import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isVigilError } from '../../core/errors.js';
import { assertReadableCharset, bodyDecoder, bodyTexts, charsetsOf } from './body-text.js';

test('a body is read in each charset its content type names, a byte-order mark dropped', () => {
  assert.deepEqual(charsetsOf('application/json; charset="UTF-16LE"'), ['utf-16le']);
  assert.deepEqual(charsetsOf('text/plain;charset=utf-8; charset=utf-16be'), ['utf-8', 'utf-16be']);
  assert.deepEqual(charsetsOf('application/json; charset='), []);
  assert.deepEqual(bodyTexts(Buffer.from('\uFEFF{}'), 'application/json'), ['{}']);
  assert.deepEqual(bodyTexts(Buffer.from('{}', 'utf16le'), 'application/json; charset=utf-16'), ['{}']);
  assert.equal(bodyDecoder('application/json; charset=utf-32'), null);
});

test('a text body in a charset Vigil cannot decode is refused; binary or empty bodies are not judged', () => {
  const body = Buffer.from('{}');
  assert.throws(
    () => assertReadableCharset(body, 'application/json; charset=utf-8; charset=utf-7', true),
    (e: unknown) => isVigilError(e) && e.code === 'body_encoding_unsupported',
  );
  assertReadableCharset(body, 'application/octet-stream; charset=utf-32', false);
  assertReadableCharset(Buffer.alloc(0), 'application/json; charset=utf-32', true);
  assertReadableCharset(body, 'application/json; charset=iso-8859-1', true);
});
