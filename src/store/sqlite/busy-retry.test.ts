import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retryBusySync } from './busy-retry.js';

const busy = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });

function failing(times: number, error: () => Error) {
  let calls = 0;
  return {
    write: () => {
      calls++;
      if (calls <= times) throw error();
      return calls;
    },
    calls: () => calls,
  };
}

test('a write that met SQLITE_BUSY is tried again until it goes through', () => {
  const sync = failing(3, busy);
  assert.equal(retryBusySync(sync.write), 4);
});

test('any other error fails at once, and a database that stays busy fails in the end', () => {
  const other = failing(1, () => Object.assign(new Error('constraint'), { code: 'SQLITE_CONSTRAINT' }));
  assert.throws(() => retryBusySync(other.write), /constraint/);
  assert.equal(other.calls(), 1);
  const stuck = failing(Number.POSITIVE_INFINITY, busy);
  assert.throws(() => retryBusySync(stuck.write), /database is locked/);
  assert.equal(stuck.calls(), 20);
});
