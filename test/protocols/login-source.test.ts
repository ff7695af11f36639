// The source a connection still logging in is counted under (server/login-source.ts): IPv4 as is,
// IPv4-mapped IPv6 folded to its IPv4, IPv6 grouped by /64 however it is written.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loginSource } from '../../src/server/login-source.js';

test('IPv4, and IPv4-mapped IPv6 folded to the same key', () => {
  assert.equal(loginSource('127.0.0.1'), '127.0.0.1');
  assert.equal(loginSource('::ffff:127.0.0.1'), '127.0.0.1');
  assert.equal(loginSource('::FFFF:10.1.2.3'), '10.1.2.3');
  assert.notEqual(loginSource('127.0.0.1'), loginSource('127.0.0.2'));
});

test('IPv6: every address of one /64 is one source, whatever its spelling; another /64 is another', () => {
  const one = loginSource('2001:db8:1:2::1');
  assert.equal(one, '2001:db8:1:2::/64');
  for (const same of [
    '2001:db8:1:2:ffff:ffff:ffff:ffff',
    '2001:0db8:0001:0002:0:0:0:9',
    '2001:DB8:1:2::a:b',
    '2001:db8:1:2::1%eth0',
    '2001:db8:1:2:0:0:10.0.0.1',
  ])
    assert.equal(loginSource(same), one, same);
  assert.notEqual(loginSource('2001:db8:1:3::1'), one);
  assert.equal(loginSource('::1'), '0:0:0:0::/64');
  assert.equal(loginSource('fe80::1'), 'fe80:0:0:0::/64');
  assert.equal(loginSource('2001:db8::'), '2001:db8:0:0::/64');
});

test('no address (a socket already gone) is one source of its own', () => {
  assert.equal(loginSource(undefined), 'unknown');
});
