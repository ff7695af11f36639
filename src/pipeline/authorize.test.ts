import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VigilError } from '../core/errors.js';
import type { Identity } from '../core/events.js';
import { authorizeConnection } from './authorize.js';

const alice: Identity = { subject: 'alice', kind: 'user', groups: ['ai-eng'] };
const etl: Identity = { subject: 'etl', kind: 'service', groups: [] };

const allowed = (identity: Identity, allow: string[], deny: string[] = [], scope: string[] | null = null) => {
  try {
    authorizeConnection({ identity, roles: [], scope, expiresAt: null }, { name: 'c', allow, deny });
    return true;
  } catch (err) {
    assert.ok(err instanceof VigilError && err.code === 'forbidden_connection');
    return false;
  }
};

test('allow by user, group, service and wildcard', () => {
  assert.equal(allowed(alice, ['user:alice']), true);
  assert.equal(allowed(alice, ['group:ai-eng']), true);
  assert.equal(allowed(etl, ['service:etl']), true);
  assert.equal(allowed(etl, ['*']), true);
});

test('kinds do not cross: a service named like a user is not that user', () => {
  assert.equal(allowed({ ...etl, subject: 'alice' }, ['user:alice']), false);
  assert.equal(allowed(alice, ['service:alice']), false);
});

test('nothing allowed means no access; deny wins over allow', () => {
  assert.equal(allowed(alice, []), false);
  assert.equal(allowed(alice, ['*'], ['group:ai-eng']), false);
  assert.equal(allowed(alice, ['group:ai-eng'], ['user:bob']), true);
});

test('a scoped credential works only on the connections it names', () => {
  assert.equal(allowed(etl, ['*'], [], ['c']), true);
  assert.equal(allowed(etl, ['*'], [], ['other']), false);
  assert.equal(allowed(etl, ['*'], [], []), false);
});
