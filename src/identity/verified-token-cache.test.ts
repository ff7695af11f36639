import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VerifiedTokenCache } from './verified-token-cache.js';

/** A verifier that counts its calls and answers with the token's own expiry. */
function counting(expiresAt = 10_000) {
  const calls: string[] = [];
  return {
    calls,
    verify: (token: string) => async () => {
      calls.push(token);
      return { token, expiresAt };
    },
  };
}
const expiry = (v: { expiresAt: number }) => v.expiresAt;

test('a token verified once is not verified again while it is valid', async () => {
  const cache = new VerifiedTokenCache<{ token: string; expiresAt: number }>();
  const v = counting();
  const first = await cache.verified('tok-a', 0, v.verify('tok-a'), expiry);
  const again = await cache.verified('tok-a', 9_999, v.verify('tok-a'), expiry);
  assert.equal(again, first);
  assert.deepEqual(v.calls, ['tok-a']);
  await cache.verified('tok-b', 10, v.verify('tok-b'), expiry);
  assert.deepEqual(v.calls, ['tok-a', 'tok-b'], 'another token is verified on its own');
});

test('at its expiry, or after the reuse limit, a token is verified again', async () => {
  const cache = new VerifiedTokenCache<{ token: string; expiresAt: number }>({ maxReuseMs: 1_000 });
  const v = counting(5_000);
  await cache.verified('tok', 0, v.verify('tok'), expiry);
  await cache.verified('tok', 999, v.verify('tok'), expiry);
  assert.equal(v.calls.length, 1);
  await cache.verified('tok', 1_000, v.verify('tok'), expiry);
  assert.equal(v.calls.length, 2, 'the reuse limit passed');
  await cache.verified('tok', 4_999, v.verify('tok'), expiry);
  assert.equal(v.calls.length, 3, 'the limit is counted from the last check');
  await cache.verified('tok', 5_000, v.verify('tok'), expiry);
  assert.equal(v.calls.length, 4, 'expired: checked again (the verifier decides)');
  assert.equal(cache.size, 0, 'an already expired value is not kept');
});

test('a refusal is not remembered: the next presentation is verified again', async () => {
  const cache = new VerifiedTokenCache<{ token: string; expiresAt: number }>();
  let calls = 0;
  const refuse = async () => {
    calls++;
    throw new Error('refused');
  };
  await assert.rejects(cache.verified('bad', 0, refuse, expiry), /refused/);
  await assert.rejects(cache.verified('bad', 1, refuse, expiry), /refused/);
  assert.equal(calls, 2);
  assert.equal(cache.size, 0);
});

test('the cache holds at most max entries, dropping the least recently used', async () => {
  const cache = new VerifiedTokenCache<{ token: string; expiresAt: number }>({ max: 2 });
  const v = counting();
  await cache.verified('a', 0, v.verify('a'), expiry);
  await cache.verified('b', 0, v.verify('b'), expiry);
  await cache.verified('a', 1, v.verify('a'), expiry); // a is now the most recent
  await cache.verified('c', 2, v.verify('c'), expiry); // b goes
  assert.equal(cache.size, 2);
  await cache.verified('a', 3, v.verify('a'), expiry);
  await cache.verified('b', 3, v.verify('b'), expiry);
  assert.deepEqual(v.calls, ['a', 'b', 'c', 'b']);
});

test('max 0 verifies every time', async () => {
  const cache = new VerifiedTokenCache<{ token: string; expiresAt: number }>({ max: 0 });
  const v = counting();
  await cache.verified('a', 0, v.verify('a'), expiry);
  await cache.verified('a', 0, v.verify('a'), expiry);
  assert.equal(v.calls.length, 2);
  assert.equal(cache.size, 0);
});
