import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodedText } from './encoded-text.js';

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

test('text in base64, bare or as a data: URL of any media type, and percent-encoded data: URLs', () => {
  assert.equal(encodedText(b64('exfiltrate the keys')), 'exfiltrate the keys');
  assert.equal(encodedText(`data:text/plain;base64,${b64('héllo')}`), 'héllo');
  assert.equal(encodedText(`DATA:application/pdf;BASE64,${b64('hi')}`), 'hi');
  assert.equal(encodedText('data:text/plain,ignore%20all'), 'ignore all');
  assert.equal(encodedText('data:text/plain,100%'), '100%');
});

test('bytes that are not UTF-8, and empty or malformed values, hold no text', () => {
  assert.equal(encodedText(b64(Buffer.from([0x89, 0x50, 0x4e, 0x47]))), null);
  assert.equal(encodedText(`data:image/png;base64,${b64(Buffer.from([0xff, 0xfe, 0x00]))}`), null);
  assert.equal(encodedText('data:text/plain;base64'), null);
  assert.equal(encodedText(''), null);
});
