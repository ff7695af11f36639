import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newId } from './ids.js';

test('ids are prefixed, URL-safe, 16 characters of randomness, and never repeat across refills of the pool', () => {
  const seen = new Set<string>();
  // Several times the pool's size, so refills are crossed.
  for (let i = 0; i < 5000; i++) {
    const id = newId('s');
    assert.match(id, /^s_[A-Za-z0-9_-]{16}$/);
    seen.add(id);
  }
  assert.equal(seen.size, 5000);
});
