import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyedQueue } from './keyed-queue.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('tasks of one key run one at a time, in order, even when one fails', async () => {
  const queue = new KeyedQueue();
  const log: string[] = [];
  const task =
    (name: string, ms: number, fail = false) =>
    async () => {
      log.push(`${name}:start`);
      await tick(ms);
      log.push(`${name}:end`);
      if (fail) throw new Error(name);
      return name;
    };
  const results = await Promise.allSettled([
    queue.run('a', task('a1', 20, true)),
    queue.run('a', task('a2', 1)),
    queue.run('b', task('b1', 5)),
  ]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['rejected', 'fulfilled', 'fulfilled'],
  );
  // a2 starts only after a1 ended; b1 ran alongside a1.
  assert.ok(log.indexOf('a2:start') > log.indexOf('a1:end'));
  assert.ok(log.indexOf('b1:start') < log.indexOf('a1:end'));
  assert.equal(queue.size, 0, 'nothing is kept once a key is idle');
});
