// Pending browser sign-ins: taken once, expire, and bounded in number (the oldest goes first).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PendingSignIns } from '../../src/identity/oidc-pending.js';

const checks = (state: string) => ({
  state,
  codeVerifier: `v-${state}`,
  nonce: `n-${state}`,
  redirectUri: 'r',
});

test('a state is taken once', () => {
  const pending = new PendingSignIns({ ttlMs: 1000, maxEntries: 10 });
  pending.add(checks('s1'));
  assert.deepEqual(pending.take('s1'), checks('s1'));
  assert.equal(pending.take('s1'), null);
  assert.equal(pending.take('never-added'), null);
});

test('an expired state is refused and swept', () => {
  let now = 0;
  const pending = new PendingSignIns({ ttlMs: 1000, maxEntries: 10, now: () => now });
  pending.add(checks('old'));
  now = 999;
  pending.add(checks('newer'));
  now = 1000;
  assert.equal(pending.take('old'), null);
  pending.add(checks('newest'));
  now = 1998;
  assert.deepEqual(pending.take('newer'), checks('newer'));
  now = 5000;
  pending.add(checks('late'));
  assert.equal(pending.size, 1, 'expired entries are swept on add');
});

test('at most maxEntries are kept: the oldest is dropped', () => {
  const pending = new PendingSignIns({ ttlMs: 60_000, maxEntries: 3 });
  for (const s of ['a', 'b', 'c', 'd']) pending.add(checks(s));
  assert.equal(pending.size, 3);
  assert.equal(pending.take('a'), null);
  assert.deepEqual(pending.take('d'), checks('d'));
});
