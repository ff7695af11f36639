// The decode cache answers exactly what decoding answers, keeps only well-formed tokens, and stays
// within its capacity.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeSessionToken, encodeSessionToken, type McpSessionState, newNonce } from './session-token.js';
import { SessionTokenCache } from './session-token-cache.js';

const KEY = randomBytes(32);

function state(subject: string): McpSessionState {
  return {
    nonce: newNonce(),
    subject,
    kind: 'user' as const,
    upstreamSessionId: 'u-1',
    protocolVersion: '2025-11-25',
    initialize: { clientInfo: { name: 'x', version: '1' } },
  };
}

test('a cached decode equals a fresh one, and garbage is not kept', () => {
  const cache = new SessionTokenCache(KEY, 8);
  const tokens = [encodeSessionToken(state('alice'), KEY), encodeSessionToken(state('bob'), KEY)];
  fc.assert(
    fc.property(
      fc.oneof(
        fc.constantFrom(...tokens),
        fc.string(),
        fc.string().map((s) => `v2.${Buffer.from(s).toString('base64url')}.${'A'.repeat(43)}`),
      ),
      (token) => {
        assert.deepEqual(cache.decode(token), decodeSessionToken(token, KEY));
        assert.ok(cache.size <= 8);
      },
    ),
    { numRuns: 2000 },
  );
  assert.ok(cache.size <= tokens.length + 6);
});

test('the least recently used token goes first when the cache is full', () => {
  const cache = new SessionTokenCache(KEY, 2);
  const [a, b, c] = ['a', 'b', 'c'].map((s) => encodeSessionToken(state(s), KEY)) as [string, string, string];
  const first = cache.decode(a);
  cache.decode(b);
  cache.decode(a); // a is now the most recently used
  cache.decode(c); // evicts b
  assert.equal(cache.size, 2);
  assert.equal(cache.decode(a), first, 'a is still cached: the same object comes back');
  assert.notEqual(cache.decode(b), null, 'b decodes again');
});

test('a cached state cannot be changed by the request that read it', () => {
  const cache = new SessionTokenCache(KEY);
  const token = encodeSessionToken(state('alice'), KEY);
  const decoded = cache.decode(token)!;
  assert.throws(() => {
    (decoded as { subject: string }).subject = 'mallory';
  });
  assert.throws(() => {
    (decoded.initialize as Record<string, unknown>).clientInfo = null;
  });
  assert.equal(cache.decode(token)!.subject, 'alice');
});
