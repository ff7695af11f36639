// The decode cache answers exactly what decoding answers, keeps only well-formed tokens, and stays
// within its capacity.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeSessionToken, encodeSessionToken, type McpSessionState, newNonce } from './session-token.js';
import { SessionTokenCache } from './session-token-cache.js';

function state(subject: string): McpSessionState {
  return {
    nonce: newNonce(),
    subject,
    upstreamSessionId: 'u-1',
    protocolVersion: '2025-11-25',
    initialize: { clientInfo: { name: 'x', version: '1' } },
  };
}

test('a cached decode equals a fresh one, and garbage is not kept', () => {
  const cache = new SessionTokenCache(8);
  const tokens = [encodeSessionToken(state('alice')), encodeSessionToken(state('bob'))];
  fc.assert(
    fc.property(
      fc.oneof(
        fc.constantFrom(...tokens),
        fc.string(),
        fc.string().map((s) => `v1.${Buffer.from(s).toString('base64url')}`),
      ),
      (token) => {
        assert.deepEqual(cache.decode(token), decodeSessionToken(token));
        assert.ok(cache.size <= 8);
      },
    ),
    { numRuns: 2000 },
  );
  assert.ok(cache.size <= tokens.length + 6);
});

test('the least recently used token goes first when the cache is full', () => {
  const cache = new SessionTokenCache(2);
  const [a, b, c] = ['a', 'b', 'c'].map((s) => encodeSessionToken(state(s))) as [string, string, string];
  const first = cache.decode(a);
  cache.decode(b);
  cache.decode(a); // a is now the most recently used
  cache.decode(c); // evicts b
  assert.equal(cache.size, 2);
  assert.equal(cache.decode(a), first, 'a is still cached: the same object comes back');
  assert.notEqual(cache.decode(b), null, 'b decodes again');
});

test('a cached state cannot be changed by the request that read it', () => {
  const cache = new SessionTokenCache();
  const token = encodeSessionToken(state('alice'));
  const decoded = cache.decode(token)!;
  assert.throws(() => {
    (decoded as { subject: string }).subject = 'mallory';
  });
  assert.throws(() => {
    (decoded.initialize as Record<string, unknown>).clientInfo = null;
  });
  assert.equal(cache.decode(token)!.subject, 'alice');
});
