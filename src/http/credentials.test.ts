import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { test } from 'node:test';
import fc from 'fast-check';
import { extractClientToken, isClientCredentialHeader } from './credentials.js';

// A token as a client would send it: printable, no whitespace at either end (header values are trimmed).
const tokenArb = fc
  .string({ unit: fc.constantFrom(...'abcXYZ019-_.~+/=:@ ,;"'.split('')), minLength: 1, maxLength: 40 })
  .filter((t) => t.trim() === t);

test('Authorization: Bearer wins over the key headers, whichever token is which', () => {
  fc.assert(
    fc.property(tokenArb, tokenArb, tokenArb, (bearer, apiKey, azureKey) => {
      const headers = { authorization: `Bearer ${bearer}`, 'x-api-key': apiKey, 'api-key': azureKey };
      assert.equal(extractClientToken(headers), bearer);
      assert.equal(extractClientToken({ 'x-api-key': apiKey, 'api-key': azureKey }), apiKey);
      assert.equal(extractClientToken({ 'api-key': azureKey }), azureKey);
    }),
  );
});

test('the Bearer scheme is case-insensitive and the whitespace around the token is not part of it', () => {
  for (const value of ['Bearer tok', 'bearer tok', 'BEARER tok', 'bEaReR\ttok', '  Bearer    tok  ']) {
    assert.equal(extractClientToken({ authorization: value }), 'tok', JSON.stringify(value));
  }
});

test('a malformed Bearer or another scheme carries no token, and never lends its text as one', () => {
  const malformed = [
    'Bearer',
    'Bearer    ',
    'Bearertok',
    'Bearer:tok',
    'Basic dXNlcjpwYXNzd29yZA==',
    'Token tok',
    'tok',
    '',
  ];
  for (const authorization of malformed) {
    const label = JSON.stringify(authorization);
    assert.equal(extractClientToken({ authorization }), null, label);
    assert.equal(extractClientToken({ authorization, 'x-api-key': 'key-1' }), 'key-1', label);
    assert.equal(extractClientToken({ authorization, 'api-key': 'key-2' }), 'key-2', label);
  }
});

test('blank key headers carry no token and do not hide the next one', () => {
  assert.equal(extractClientToken({}), null);
  assert.equal(extractClientToken({ 'x-api-key': '   ' }), null);
  assert.equal(extractClientToken({ 'x-api-key': '', 'api-key': ' key-2 ' }), 'key-2');
  assert.equal(extractClientToken({ 'x-api-key': '\tkey-1\t' }), 'key-1');
});

/** The headers Node's parser gives for a request sent with exactly these raw header lines. */
async function parsedHeaders(lines: readonly string[]): Promise<IncomingHttpHeaders> {
  const server = createServer((req, res) => {
    server.emit('seen', req.headers);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const seen = new Promise<IncomingHttpHeaders>((resolve) => server.once('seen', resolve));
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write(['GET / HTTP/1.1', 'Host: x', 'Connection: close', ...lines, '', ''].join('\r\n'));
    const headers = await seen;
    socket.destroy();
    return headers;
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

test('header names are matched in any case, as a real request sends them', async () => {
  assert.equal(extractClientToken(await parsedHeaders(['AUTHORIZATION: Bearer t-upper'])), 't-upper');
  assert.equal(extractClientToken(await parsedHeaders(['X-Api-Key: k-mixed'])), 'k-mixed');
  assert.equal(extractClientToken(await parsedHeaders(['API-KEY: k-azure'])), 'k-azure');
  assert.equal(
    extractClientToken(await parsedHeaders(['x-API-key: k-second', 'Authorization: bearer t-first'])),
    't-first',
    'Bearer wins regardless of the order or case of the header lines',
  );
});

test('every header that may carry a client credential is recognised, in any case', () => {
  for (const name of ['authorization', 'Authorization', 'X-API-KEY', 'api-key', 'Cookie']) {
    assert.ok(isClientCredentialHeader(name), name);
  }
  for (const name of ['content-type', 'x-api-keys', 'authorization-hint', 'set-cookie', 'x-vigil-session']) {
    assert.ok(!isClientCredentialHeader(name), name);
  }
});
