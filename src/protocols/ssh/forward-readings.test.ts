import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { hostReadings, inetAton } from './forward-readings.js';

test('IPv4 addresses are read as inet_aton reads them', () => {
  for (const [text, address] of [
    ['127.0.0.1', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['127.0.1', '127.0.0.1'],
    ['2130706433', '127.0.0.1'],
    ['0x7f.0.0.1', '127.0.0.1'],
    ['0x7F000001', '127.0.0.1'],
    ['0177.0.0.01', '127.0.0.1'],
    ['169.254.43518', '169.254.169.254'],
    ['0', '0.0.0.0'],
  ] as const) {
    assert.equal(inetAton(text), address, text);
  }
  for (const text of [
    '256.0.0.1',
    '1.2.3.4.5',
    '08.0.0.1',
    '4294967296',
    'db.internal',
    '',
    '1..2',
    '127.16777216',
  ]) {
    assert.equal(inetAton(text), null, text);
  }
});

test('every dotted quad reads as itself', () => {
  fc.assert(
    fc.property(fc.ipV4(), (address) => {
      assert.equal(inetAton(address), address);
    }),
  );
});

test('a destination’s other readings: the address it spells, its mapped IPv4, loopback for localhost', () => {
  assert.ok(hostReadings('127.1').includes('127.0.0.1'));
  assert.ok(hostReadings('::ffff:127.0.0.1').includes('127.0.0.1'));
  assert.ok(hostReadings('[0:0:0:0:0:ffff:7f00:0001]').includes('127.0.0.1'));
  assert.ok(hostReadings('[::1]').includes('::1'));
  assert.ok(hostReadings('LocalHost.').includes('127.0.0.1'));
  assert.ok(hostReadings('0.0.0.0').includes('127.0.0.1'));
  assert.ok(hostReadings('DB.Internal.').includes('db.internal'));
  assert.deepEqual(hostReadings('db.internal'), []);
  assert.deepEqual(hostReadings('10.0.0.5'), []);
});
