// A session id comes back from the client: any string decodes to Vigil's state or to null, never an exception.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeSessionToken, encodeSessionToken, newNonce } from './session-token.js';

test('round trip', () => {
  const state = {
    nonce: newNonce(),
    subject: 'alice',
    upstreamSessionId: 'u-1',
    protocolVersion: '2025-11-25',
    initialize: { clientInfo: { name: 'x', version: '1' } },
  };
  assert.deepEqual(decodeSessionToken(encodeSessionToken(state)), state);
});

test('arbitrary strings decode to null or a well-formed state', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.string().map((s) => `v1.${Buffer.from(s).toString('base64url')}`),
      ),
      (s) => {
        const decoded = decodeSessionToken(s);
        if (decoded !== null) assert.equal(typeof decoded.subject, 'string');
      },
    ),
    { numRuns: 2000 },
  );
});
