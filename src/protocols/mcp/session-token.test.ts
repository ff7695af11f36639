// A session id comes back from the client: any string decodes to Vigil's state or to null, never an
// exception, and only an id made under the connection's key decodes at all.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeSessionToken, encodeSessionToken, newNonce } from './session-token.js';

const KEY = randomBytes(32);

test('round trip', () => {
  const state = {
    nonce: newNonce(),
    subject: 'alice',
    kind: 'user' as const,
    upstreamSessionId: 'u-1',
    protocolVersion: '2025-11-25',
    initialize: { clientInfo: { name: 'x', version: '1' } },
  };
  assert.deepEqual(decodeSessionToken(encodeSessionToken(state, KEY), KEY), state);
});

test('arbitrary strings decode to null or a well-formed state', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.string().map((s) => `v2.${Buffer.from(s).toString('base64url')}.${'A'.repeat(43)}`),
      ),
      (s) => {
        assert.equal(decodeSessionToken(s, KEY), null);
      },
    ),
    { numRuns: 2000 },
  );
});

test('an id edited in any way, or made under another key, does not decode', () => {
  const token = encodeSessionToken(
    {
      nonce: newNonce(),
      subject: 'alice',
      kind: 'user' as const,
      upstreamSessionId: 'u-1',
      protocolVersion: '2025-11-25',
      initialize: {},
    },
    KEY,
  );
  const [prefix, payload, mac] = token.split('.') as [string, string, string];
  const state = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  const resigned = (edit: Record<string, unknown>) =>
    `${prefix}.${Buffer.from(JSON.stringify({ ...state, ...edit })).toString('base64url')}.${mac}`;
  assert.equal(decodeSessionToken(resigned({ s: 'bob' }), KEY), null);
  assert.equal(decodeSessionToken(resigned({ u: 'u-2' }), KEY), null);
  assert.equal(decodeSessionToken(resigned({ n: newNonce() }), KEY), null);
  assert.equal(decodeSessionToken(token, randomBytes(32)), null);
  assert.equal(decodeSessionToken(`v1.${payload}`, KEY), null, 'an unauthenticated v1 id');
  fc.assert(
    fc.property(fc.nat(token.length - 1), fc.constantFrom(...'AZaz09-_'), (at, c) => {
      const edited = token.slice(0, at) + c + token.slice(at + 1);
      if (edited !== token) assert.equal(decodeSessionToken(edited, KEY), null);
    }),
    { numRuns: 2000 },
  );
});
