// The retention contract (Store.purgePayloads): exactly the planned payloads go, the plan is
// recorded before anything is dropped, purge records are never purged, hashes stay.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StoredEvent } from '../../src/core/events.js';
import type { PurgeOutcome, PurgePlan, StoreBundle } from '../../src/core/ports.js';
import { PURGE_RECORD_TYPE } from '../../src/ledger/event-source.js';
import { at, draft, recorderFor, type StoreFactory, withStore } from './conformance-support.js';

const purgedIndexes = (events: readonly StoredEvent[]) =>
  events.filter((e) => e.payload === null).map((e) => e.index);

/** Seven events: a's at 0, 1, 2 s; a purge record at 2.5 s; a at 3 s; b at 4 and 5 s. */
async function sevenEvents(store: StoreBundle): Promise<StoredEvent[]> {
  const recorder = await recorderFor(store);
  for (const ms of [0, 1000, 2000]) await recorder.append(draft('a', ms), 'cli');
  await recorder.append(draft('a', 2500, { type: PURGE_RECORD_TYPE, payload: { ranges: [] } }));
  await recorder.append(draft('a', 3000));
  for (const ms of [4000, 5000]) await recorder.append(draft('b', ms), 'llm');
  return store.ledger.readEvents(0, 100);
}

export function purgeConformance(factory: StoreFactory): void {
  test('purge plans exactly the older payloads (never a purge record), records the plan first, keeps hashes', () =>
    withStore(factory, async (store) => {
      const before = await sevenEvents(store);
      let seenAtIntent: StoredEvent[] = [];
      const intents: PurgePlan[] = [];
      const outcome = await store.ledger.purgePayloads(at(4500), async (plan) => {
        intents.push(plan);
        seenAtIntent = await store.ledger.readEvents(0, 100);
      });
      const plan = { before: at(4500), ranges: [[0, 2] as const, [4, 5] as const], count: 5 };
      assert.deepEqual(intents, [plan]);
      assert.deepEqual(outcome, { plan, dropped: 5 });
      assert.deepEqual(purgedIndexes(seenAtIntent), [], 'nothing is dropped before the plan is recorded');

      const after = await store.ledger.readEvents(0, 100);
      assert.deepEqual(purgedIndexes(after), [0, 1, 2, 4, 5]);
      assert.deepEqual(
        after.map(({ payload: _p, ...rest }) => rest),
        before.map(({ payload: _p, ...rest }) => rest),
        'positions and hashes stay',
      );
      assert.deepEqual(after[3]!.payload, before[3]!.payload, 'the purge record keeps its payload');
      assert.deepEqual(after[6]!.payload, before[6]!.payload);
      assert.deepEqual(
        (await store.ledger.readSession('b')).map((e) => e.payload === null),
        [true, false],
      );

      // What is gone is not planned again.
      const again = await store.ledger.purgePayloads(at(4500), async () =>
        assert.fail('an empty plan is recorded'),
      );
      assert.deepEqual(again, { plan: { before: at(4500), ranges: [], count: 0 }, dropped: 0 });
    }));

  test('events recorded while the plan is recorded (the purge record itself) are never dropped', () =>
    withStore(factory, async (store) => {
      await sevenEvents(store);
      const recorder = await recorderFor(store);
      const farFuture = at(10 ** 12);
      const outcome = await store.ledger.purgePayloads(farFuture, async () => {
        // Recorded before farFuture, but after the plan was made: not in it.
        await recorder.append(draft('purger', 6000), 'cli');
        await recorder.append(draft('purger', 6001, { type: PURGE_RECORD_TYPE, payload: { ranges: [] } }));
        await recorder.append(draft('purger', 6002, { type: 'session.end', payload: { reason: 'closed' } }));
      });
      assert.deepEqual(outcome.plan.ranges, [
        [0, 2],
        [4, 6],
      ]);
      assert.equal(outcome.dropped, 6);
      assert.deepEqual(purgedIndexes(await store.ledger.readEvents(0, 100)), [0, 1, 2, 4, 5, 6]);
      assert.deepEqual(
        (await store.ledger.readSession('purger')).map((e) => e.payload !== null),
        [true, true, true],
      );
    }));

  test('nothing is dropped when recording the plan fails', () =>
    withStore(factory, async (store) => {
      await sevenEvents(store);
      await assert.rejects(
        store.ledger.purgePayloads(at(10 ** 12), async () => {
          throw new Error('disk full');
        }),
        /disk full/,
      );
      assert.deepEqual(purgedIndexes(await store.ledger.readEvents(0, 100)), []);
    }));

  test('an empty plan is neither recorded nor applied', () =>
    withStore(factory, async (store) => {
      await sevenEvents(store);
      let recorded = 0;
      const outcome = await store.ledger.purgePayloads(at(0), async () => {
        recorded++;
      });
      assert.equal(recorded, 0);
      assert.deepEqual(outcome, { plan: { before: at(0), ranges: [], count: 0 }, dropped: 0 });
      assert.deepEqual(purgedIndexes(await store.ledger.readEvents(0, 100)), []);
    }));

  test('a purge that another purge overtook reports only what it dropped itself', () =>
    withStore(factory, async (store) => {
      await sevenEvents(store);
      const inner: { outcome?: PurgeOutcome } = {};
      const outer = await store.ledger.purgePayloads(at(2000), async () => {
        inner.outcome = await store.ledger.purgePayloads(at(2000), async () => undefined);
      });
      assert.equal(outer.plan.count, 2);
      assert.equal(outer.dropped, 0);
      assert.equal(inner.outcome?.dropped, 2);
      assert.deepEqual(purgedIndexes(await store.ledger.readEvents(0, 100)), [0, 1]);
    }));
}
