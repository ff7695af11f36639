// The ReplicaLeases contract: leases that lapse, are ended once, and make orphans of the sessions
// their replica owned; orphans adopted by exactly one caller; one checkpoint signer at a time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ReplicaInfo, StoreBundle } from '../../src/core/ports.js';
import { Recorder } from '../../src/ledger/recorder.js';
import { at, draft, type StoreFactory, withStore } from './conformance-support.js';

const LONG = 60_000;

function replica(id: string): ReplicaInfo {
  return { id, host: 'host-1', pid: 100, bootId: 'boot/pid:[1]', startedAt: at(0) };
}

/** Opens a session owned by `owner` (null: ownerless, as the CLI writes) and leaves it open or ends it. */
async function openSession(store: StoreBundle, owner: string | null, id: string, end = false, ms = 0) {
  const recorder = new Recorder(store.ledger, owner === null ? {} : { replica: () => owner });
  await recorder.init();
  await recorder.append(
    draft(id, ms, { type: 'session.start', payload: { protocol: 'postgres' } }),
    'postgres',
  );
  if (end) await recorder.append(draft(id, ms + 1, { type: 'session.end', payload: { reason: 'closed' } }));
}

export function replicaConformance(factory: StoreFactory): void {
  test('a lease is registered, listed, renewed while held and gone once released', () =>
    withStore(factory, async ({ replicas }) => {
      await replicas.register(replica('r-a'), LONG);
      await replicas.register(replica('r-b'), LONG);
      assert.deepEqual(
        (await replicas.list()).map((r) => r.id),
        ['r-a', 'r-b'],
      );
      assert.deepEqual((await replicas.list())[0], replica('r-a'), 'the process facts round-trip');
      assert.equal(await replicas.renew('r-a', LONG), true);
      await replicas.release('r-a');
      assert.equal(await replicas.renew('r-a', LONG), false, 'a released lease cannot be renewed');
      assert.deepEqual(
        (await replicas.list()).map((r) => r.id),
        ['r-b'],
      );
      await assert.rejects(replicas.register(replica('r-b'), LONG), 'one lease per replica id');
    }));

  test('a lapsed lease is ended by exactly one caller, and cannot be renewed after', () =>
    withStore(factory, async ({ replicas }) => {
      // Leases of a second and more: a loaded CI machine can stall a test for a tenth of one.
      await replicas.register(replica('r-short'), 1000);
      await replicas.register(replica('r-long'), LONG);
      assert.deepEqual(await replicas.expire(), [], 'nothing has lapsed yet');
      await sleep(1200);
      const ended = (await Promise.all([replicas.expire(), replicas.expire(), replicas.expire()])).flat();
      assert.deepEqual(ended, ['r-short'], 'ended once, among concurrent callers');
      assert.equal(await replicas.renew('r-short', LONG), false);
      assert.equal(await replicas.renew('r-long', LONG), true, 'a held lease is untouched');
      assert.deepEqual(await replicas.expire(['r-long', 'r-unknown']), ['r-long'], 'named leases end too');
    }));

  test('a renewal in time keeps a lease that would have lapsed', () =>
    withStore(factory, async ({ replicas }) => {
      await replicas.register(replica('r-a'), 1000);
      await sleep(300);
      assert.equal(await replicas.renew('r-a', 2000), true);
      await sleep(1000);
      assert.deepEqual(await replicas.expire(), [], 'renewed past the first expiry');
    }));

  test("sessions are orphans only once their owner's lease ended, and each is adopted once", () =>
    withStore(factory, async (store) => {
      const { replicas } = store;
      await replicas.register(replica('r-a'), LONG);
      await replicas.register(replica('r-b'), LONG);
      await replicas.register(replica('r-c'), LONG);
      for (let i = 0; i < 6; i++) await openSession(store, 'r-a', `s-a${i}`);
      await openSession(store, 'r-a', 's-a-ended', true);
      await openSession(store, 'r-b', 's-b');
      assert.deepEqual(await replicas.adoptOrphans('r-b', at(0)), [], 'r-a lives: nothing is orphaned');

      await replicas.expire(['r-a']);
      const [byB, byC] = await Promise.all([
        replicas.adoptOrphans('r-b', at(0)),
        replicas.adoptOrphans('r-c', at(0)),
      ]);
      const adopted = [...byB, ...byC].map((a) => a.session.id).sort();
      assert.deepEqual(adopted, ['s-a0', 's-a1', 's-a2', 's-a3', 's-a4', 's-a5'], 'open ones, each once');
      for (const a of [...byB, ...byC]) {
        assert.equal(a.from, 'r-a');
        assert.equal(a.session.endedAt, null);
        assert.equal(a.session.protocol, 'postgres');
      }
      assert.deepEqual(await replicas.adoptOrphans('r-b', at(0)), [], 'adopted sessions have a live owner');

      // The adopter dies too: its adoptees become orphans again.
      await replicas.expire(['r-b']);
      const again = await replicas.adoptOrphans('r-c', at(0));
      assert.deepEqual(
        again.map((a) => a.session.id).sort(),
        [...byB.map((a) => a.session.id), 's-b'].sort(),
      );
    }));

  test('ownerless open sessions are adopted only once quiet since the given time', () =>
    withStore(factory, async (store) => {
      await store.replicas.register(replica('r-a'), LONG);
      await openSession(store, null, 's-old', false, 1_000);
      await openSession(store, null, 's-recent', false, 9_000);
      await openSession(store, null, 's-done', true, 1_000);
      const adopted = await store.replicas.adoptOrphans('r-a', at(5_000));
      assert.deepEqual(
        adopted.map((a) => [a.session.id, a.from]),
        [['s-old', null]],
      );
    }));

  test('one checkpoint signer at a time; the lease passes on when it lapses or is released', () =>
    withStore(factory, async ({ replicas }) => {
      const leads = await Promise.all([replicas.lead('r-a', 1000), replicas.lead('r-b', 1000)]);
      assert.equal(leads.filter(Boolean).length, 1, 'one of two concurrent candidates leads');
      const [leader, other] = leads[0] ? ['r-a', 'r-b'] : ['r-b', 'r-a'];
      assert.equal(await replicas.lead(leader, 1000), true, 'the leader keeps it');
      assert.equal(await replicas.lead(other, 1000), false);
      await sleep(1200);
      assert.equal(await replicas.lead(other, LONG), true, 'taken over once lapsed');
      assert.equal(await replicas.lead(leader, LONG), false);
      await replicas.register(replica(other), LONG);
      await replicas.release(other);
      assert.equal(await replicas.lead(leader, LONG), true, "released with its holder's lease");
    }));
}
