// When a reasoning session's tree is built ahead: once it has enough model calls, after it has been
// quiet, never while calls keep coming, spaced after a build, and never after close.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, mock, test } from 'node:test';
import type { RecordedEvent } from '../../core/events.js';
import { TreePrebuilder } from './tree-prebuild.js';

const event = (type: string, sessionId: string) => ({ type, sessionId }) as unknown as RecordedEvent;
const responses = (sessionId: string, n: number) =>
  Array.from({ length: n }, () => event('llm.response', sessionId));

beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'] }));
afterEach(() => mock.timers.reset());

/** Lets the promise callbacks of a build that just ended run. */
const settle = () => new Promise<void>((r) => queueMicrotask(() => queueMicrotask(() => queueMicrotask(r))));

function prebuilder(build: (id: string) => Promise<void> = async () => undefined) {
  const built: string[] = [];
  const failed: string[] = [];
  const p = new TreePrebuilder(
    (id) => {
      built.push(id);
      return build(id);
    },
    (_err, id) => failed.push(id),
    { minCalls: 3, quietMs: 1000 },
  );
  return { p, built, failed };
}

test('a session with fewer model calls than the threshold is never built; requests do not count', () => {
  const { p, built } = prebuilder();
  p.committed([...responses('a', 2), event('llm.request', 'a'), event('llm.request', 'a')]);
  mock.timers.tick(10_000);
  assert.deepEqual(built, []);
});

test('a session over the threshold is built once it has been quiet, not while calls keep coming', () => {
  const { p, built } = prebuilder();
  p.committed(responses('a', 3));
  for (let i = 0; i < 5; i++) {
    mock.timers.tick(900);
    p.committed(responses('a', 1));
  }
  assert.deepEqual(built, []);
  mock.timers.tick(1000);
  assert.deepEqual(built, ['a']);
  mock.timers.tick(10_000);
  assert.deepEqual(built, ['a'], 'no new call, no new build');
});

test('calls during a build wait for it; the next build is spaced by ten times the last one', async () => {
  let finish = () => {};
  const { p, built } = prebuilder(() => new Promise<void>((r) => (finish = r)));
  p.committed(responses('a', 3));
  mock.timers.tick(1000);
  assert.deepEqual(built, ['a']);
  p.committed(responses('a', 1));
  mock.timers.tick(1000);
  assert.equal(built.length, 1, 'not while the first build runs');
  mock.timers.tick(1000); // the build took 2 s in all
  finish();
  await settle();
  mock.timers.tick(19_000);
  assert.equal(built.length, 1, 'spaced by 10 × 2 s');
  mock.timers.tick(2000);
  assert.deepEqual(built, ['a', 'a']);
});

test('a failed build is reported, and close stops what was waiting', async () => {
  const { p, built, failed } = prebuilder(async () => {
    throw new Error('store gone');
  });
  p.committed(responses('a', 3));
  mock.timers.tick(1000);
  await settle();
  assert.deepEqual(failed, ['a']);
  p.committed(responses('b', 3));
  p.close();
  mock.timers.tick(10_000);
  p.committed(responses('c', 3));
  mock.timers.tick(10_000);
  assert.deepEqual(built, ['a']);
});

test('sessions are followed independently', () => {
  const { p, built } = prebuilder();
  p.committed([...responses('a', 3), ...responses('b', 1)]);
  mock.timers.tick(500);
  p.committed(responses('b', 2));
  mock.timers.tick(500);
  assert.deepEqual(built, ['a']);
  mock.timers.tick(500);
  assert.deepEqual(built, ['a', 'b']);
});
