// The rebuilt-tree cache behind the console's tree routes: one build per session state, a new
// build when the session moved on, and only the most recently used trees kept.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TreeCache } from '../../src/api/routes/tree-cache.js';
import type { SessionSummary } from '../../src/core/events.js';
import type { SessionTreeJson } from '../../src/reasoning/index.js';

function session(id: string, eventCount: number): SessionSummary {
  return {
    id,
    connection: 'oa',
    protocol: 'llm',
    identity: { subject: 'alice', kind: 'user', groups: [] },
    startedAt: '2026-01-01T00:00:00.000Z',
    lastEventAt: `2026-01-01T00:00:${String(eventCount).padStart(2, '0')}.000Z`,
    endedAt: null,
    endReason: null,
    eventCount,
  };
}

function counter() {
  const builds: string[] = [];
  const build = (id: string) => async (): Promise<SessionTreeJson> => {
    builds.push(id);
    return {
      sessionId: id,
      tree: { sessionId: id, nodes: [], edges: [], evaluations: [], roots: [], finalNodeId: null },
      actions: [],
    };
  };
  return { builds, build };
}

test('one build per session state; a session that moved on is built again', async () => {
  const cache = new TreeCache(2);
  const { builds, build } = counter();
  const first = await cache.get(session('a', 4), build('a'));
  assert.equal(await cache.get(session('a', 4), build('a')), first);
  assert.deepEqual(builds, ['a']);
  const moved = await cache.get(session('a', 6), build('a'));
  assert.notEqual(moved, first);
  assert.deepEqual(builds, ['a', 'a']);
});

test('only the most recently used trees are kept', async () => {
  const cache = new TreeCache(2);
  const { builds, build } = counter();
  await cache.get(session('a', 1), build('a'));
  await cache.get(session('b', 1), build('b'));
  await cache.get(session('a', 1), build('a'));
  await cache.get(session('c', 1), build('c'));
  await cache.get(session('a', 1), build('a'));
  assert.deepEqual(builds, ['a', 'b', 'c'], 'a was used last, so b left first');
  await cache.get(session('b', 1), build('b'));
  assert.deepEqual(builds, ['a', 'b', 'c', 'b']);
});

test('readers of the same cold tree at once share one build', async () => {
  const cache = new TreeCache(2);
  const builds: string[] = [];
  let finish: (json: SessionTreeJson) => void = () => undefined;
  const slow = () => {
    builds.push('a');
    return new Promise<SessionTreeJson>((resolve) => {
      finish = resolve;
    });
  };
  const one = cache.get(session('a', 3), slow);
  const two = cache.get(session('a', 3), slow);
  finish({
    sessionId: 'a',
    tree: { sessionId: 'a', nodes: [], edges: [], evaluations: [], roots: [], finalNodeId: null },
    actions: [],
  });
  assert.equal(await one, await two);
  assert.deepEqual(builds, ['a']);
});

test('a failed build is not kept: the next reader builds again', async () => {
  const cache = new TreeCache(2);
  const { builds, build } = counter();
  await assert.rejects(
    cache.get(session('a', 2), async () => {
      builds.push('failed');
      throw new Error('store went away');
    }),
    /store went away/,
  );
  await cache.get(session('a', 2), build('a'));
  assert.deepEqual(builds, ['failed', 'a']);
});

test('holds says whether the tree of this state is built: not while building, not for a newer state', async () => {
  const cache = new TreeCache(2);
  let finish = () => {};
  const built = cache.get(session('a', 4), async () => {
    await new Promise<void>((r) => (finish = r));
    return counter().build('a')();
  });
  assert.equal(cache.holds(session('a', 4)), false);
  finish();
  await built;
  assert.equal(cache.holds(session('a', 4)), true);
  assert.equal(cache.holds(session('a', 5)), false);
  assert.equal(cache.holds(session('b', 4)), false);
});
