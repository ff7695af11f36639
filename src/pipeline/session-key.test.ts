import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTraceparent, sessionKey, validExplicitSession } from './session-key.js';

test('traceparent parsing follows W3C trace context', () => {
  assert.deepEqual(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'), {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    parentSpanId: '00f067aa0ba902b7',
  });
  assert.equal(parseTraceparent('00-00000000000000000000000000000000-00f067aa0ba902b7-01'), null);
  assert.equal(parseTraceparent('ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'), null);
  assert.equal(parseTraceparent('garbage'), null);
  assert.equal(parseTraceparent('00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01'), null);
  assert.equal(parseTraceparent(undefined), null);
});

test('explicit session ids are bounded and plain', () => {
  assert.equal(validExplicitSession('run-42.a:b@c'), 'run-42.a:b@c');
  assert.equal(validExplicitSession('x'.repeat(129)), null);
  assert.equal(validExplicitSession('has space'), null);
});

test('keys never join two identities or two connections', () => {
  const trace = { traceId: 'a'.repeat(32), parentSpanId: 'b'.repeat(16) };
  const alice = { subject: 'alice', kind: 'user' } as const;
  const bob = { subject: 'bob', kind: 'user' } as const;
  const serviceAlice = { subject: 'alice', kind: 'service' } as const;
  assert.notEqual(sessionKey(alice, 'c', 'run', null).key, sessionKey(bob, 'c', 'run', null).key);
  assert.notEqual(sessionKey(alice, 'c', null, trace).key, sessionKey(alice, 'd', null, trace).key);
  assert.notEqual(sessionKey(alice, 'c', null, null).key, sessionKey(alice, 'c', null, trace).key);
  for (const [explicit, t] of [
    [null, null],
    ['run', null],
    [null, trace],
  ] as const) {
    assert.notEqual(sessionKey(alice, 'c', explicit, t).key, sessionKey(serviceAlice, 'c', explicit, t).key);
  }
  assert.equal(sessionKey(alice, 'c', 'run', trace).external, 'run');
});
