import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { VigilError } from '../core/errors.js';
import type { EventDraft, RecordedEvent } from '../core/events.js';
import { CONTINUES_UNWRITTEN, type Store, type StoreBundle } from '../core/ports.js';
import { configSchema } from '../protocols/index.js';
import { openStore } from '../store/index.js';
import { chainHash, GENESIS_HASH } from './chain.js';
import { MAX_BATCH, Recorder } from './recorder.js';

const draft = (sessionId: string, n: number): EventDraft => ({
  type: 'llm.request',
  sessionId,
  connection: 'c',
  identity: { subject: 'alice', kind: 'user', groups: [] },
  time: new Date(1_700_000_000_000 + n).toISOString(),
  payload: { n },
});

function freshStore(dir = mkdtempSync(join(tmpdir(), 'vigil-rec-'))): Promise<StoreBundle> {
  return openStore(configSchema.parse({}), dir);
}

/** A recorder on a fresh store, ready to append. */
async function startedRecorder() {
  const stores = await freshStore();
  const recorder = new Recorder(stores.ledger);
  await recorder.init();
  return { stores, store: stores.ledger, recorder };
}

/** Makes one of the store's methods throw `message` until the returned function puts it back. */
function failing(store: StoreBundle['ledger'], method: 'appendEvents' | 'sessionHead', message: string) {
  const original = store[method];
  store[method] = async () => {
    throw new Error(message);
  };
  return () => {
    store[method] = original as never;
  };
}

test('concurrent appends are group-committed with contiguous indexes and per-session chains', async () => {
  const { stores, store, recorder } = await startedRecorder();
  const batches: number[] = [];
  const commitSeconds: number[] = [];
  recorder.onCommit((events, seconds) => {
    batches.push(events.length);
    commitSeconds.push(seconds);
  });
  const recorded = await Promise.all(
    Array.from({ length: 200 }, (_, i) => recorder.append(draft(i % 2 ? 'a' : 'b', i))),
  );
  assert.deepEqual(
    recorded.map((e) => e.index),
    Array.from({ length: 200 }, (_, i) => i),
  );
  assert.ok(batches.length < 200, 'appends issued together share commits');
  assert.ok(
    commitSeconds.every((s) => Number.isFinite(s) && s >= 0),
    'each commit says how long it took',
  );
  for (const session of ['a', 'b']) {
    const events = await store.readSession(session);
    assert.deepEqual(
      events.map((e) => e.seq),
      Array.from({ length: 100 }, (_, i) => i),
    );
    let prev = GENESIS_HASH;
    for (const e of events) {
      assert.equal(e.prevHash, prev);
      assert.equal(e.hash, chainHash(prev, e));
      prev = e.hash;
    }
  }
  await stores.close();
});

test('a deferred event waits for the next event someone waits for, and is committed with it, in order', async () => {
  const { stores, recorder } = await startedRecorder();
  const batches: string[][] = [];
  recorder.onCommit((events) => batches.push(events.map((e) => String(e.payload.n))));
  // A statement's result (nobody waits), then the next statement (its client waits).
  const result = recorder.append(draft('a', 1), 'postgres', { deferred: true });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(batches, [], 'a deferred event alone is not committed at once');
  const action = recorder.append(draft('a', 2), 'postgres');
  const [r, a] = await Promise.all([result, action]);
  assert.deepEqual(batches, [['1', '2']], 'one commit for both');
  assert.deepEqual([r.seq, a.seq], [0, 1]);
  // Alone, a deferred event is still committed, within DEFER_MS.
  const lone = await recorder.append(draft('a', 3), 'postgres', { deferred: true });
  assert.equal(lone.seq, 2);
  assert.deepEqual(batches.at(-1), ['3']);
  // drain() commits deferred events now.
  const drained = recorder.append(draft('a', 4), 'postgres', { deferred: true });
  await recorder.drain();
  assert.deepEqual(batches.at(-1), ['4']);
  await drained;
  await stores.close();
});

test('a failed write is reported and leaves no gap: later events continue the chain', async () => {
  const { stores, store, recorder } = await startedRecorder();
  await recorder.append(draft('s', 0));
  const restore = failing(store, 'appendEvents', 'disk full');
  await assert.rejects(recorder.append(draft('s', 1)), (err: VigilError) => err.code === 'record_failed');
  restore();
  const next = await recorder.append(draft('s', 2));
  assert.equal(next.seq, 1);
  assert.equal(next.index, 1);
  assert.deepEqual(
    (await store.readSession('s')).map((e) => e.payload?.n),
    [0, 2],
  );
  await stores.close();
});

test('a new recorder continues the chains of an existing store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rec-'));
  const first = await freshStore(dir);
  const r1 = new Recorder(first.ledger);
  await r1.init();
  const a = await r1.append(draft('s', 0));
  await first.close();
  const second = await freshStore(dir);
  const r2 = new Recorder(second.ledger);
  await r2.init();
  const b = await r2.append(draft('s', 1));
  assert.equal(b.seq, 1);
  assert.equal(b.index, 1);
  assert.equal(b.prevHash, a.hash);
  await second.close();
});

/**
 * A store whose first write is held at a gate and can be made to fail, to see what is prepared
 * meanwhile. Batches handed over with appendAfter wait behind the one before them and are refused
 * when it was not written, as the store's own appendAfter does.
 */
function gatedAppends(store: StoreBundle['ledger']) {
  const calls: number[][] = [];
  const handed: number[][] = [];
  let release: ((fail: boolean) => void) | null = null;
  let holding = true;
  /** Whether the last batch handed over was written. */
  let last: Promise<boolean> = Promise.resolve(true);
  const numbers = (events: readonly RecordedEvent[]) => events.map((e) => Number(e.payload.n));
  const gate =
    (write: NonNullable<Store['appendAfter']>, continues: boolean): NonNullable<Store['appendAfter']> =>
    async (events, sessions) => {
      handed.push(numbers(events));
      const before = last;
      let written!: (ok: boolean) => void;
      last = new Promise((resolve) => {
        written = resolve;
      });
      try {
        if (!(await before) && continues) throw new Error(CONTINUES_UNWRITTEN);
        if (holding) {
          holding = false;
          const fail = await new Promise<boolean>((resolve) => {
            release = resolve;
          });
          if (fail) throw new Error('disk full');
        }
        calls.push(numbers(events));
        const positions = await write(events, sessions);
        written(true);
        return positions;
      } catch (err) {
        written(false);
        throw err;
      }
    };
  const appendAfter = store.appendAfter?.bind(store);
  store.appendEvents = gate(store.appendEvents.bind(store), false);
  if (appendAfter) store.appendAfter = gate(appendAfter, true);
  return {
    /** Batches as they reached the store, in order. */
    calls,
    /** Batches as the recorder handed them over, in order. */
    handed,
    /** Waits until the first write is held at the gate. */
    held: async () => {
      while (release === null) await new Promise((r) => setImmediate(r));
    },
    /** Lets the held write go on (or fail); later writes are not held. */
    release: (fail: boolean) => release!(fail),
  };
}

/** Turns of the event loop until `done()` (at most 50), for what the recorder does meanwhile. */
async function turnsUntil(done: () => boolean): Promise<void> {
  for (let i = 0; i < 50 && !done(); i++) await new Promise((r) => setImmediate(r));
}

test('drafts that arrive during a write are written together once it commits, chained onto it', async () => {
  const { stores, store, recorder } = await startedRecorder();
  await recorder.append(draft('s', 0));
  const gated = gatedAppends(store);
  const first = recorder.append(draft('s', 1));
  await gated.held();
  // Arrive while the first write is held: written in the next batch, event 2 chained onto event 1.
  const later = [recorder.append(draft('s', 2)), recorder.append(draft('t', 3))];
  await turnsUntil(() => gated.handed.length === 2);
  assert.deepEqual(gated.handed, [[1], [2, 3]], 'the next batch is handed over while one is on disk');
  assert.deepEqual(gated.calls, [], 'nothing reaches the store while the first write is held');
  gated.release(false);
  const [a, b, c] = await Promise.all([first, ...later]);
  assert.deepEqual(gated.calls, [[1], [2, 3]]);
  assert.deepEqual([a!.seq, b!.seq, c!.seq], [1, 2, 0]);
  assert.equal(b!.prevHash, a!.hash);
  assert.deepEqual([a!.index, b!.index, c!.index], [1, 2, 3]);
  const stored = await store.readSession('s');
  assert.deepEqual(
    stored.map((e) => [e.seq, e.hash]),
    [0, 1, 2].map((i) => [i, stored[i]!.hash]),
  );
  for (let i = 1; i < stored.length; i++) assert.equal(stored[i]!.prevHash, stored[i - 1]!.hash);
  await stores.close();
});

test('a store that cannot take batches in order is given the next one only once the one before commits', async () => {
  const { stores, store, recorder } = await startedRecorder();
  store.appendAfter = undefined;
  await recorder.append(draft('s', 0));
  const gated = gatedAppends(store);
  const first = recorder.append(draft('s', 1));
  await gated.held();
  const later = recorder.append(draft('s', 2));
  // As many turns as the tests above give the recorder to hand the next batch over.
  await turnsUntil(() => gated.handed.length === 2);
  assert.deepEqual(gated.handed, [[1]], 'nothing is handed over while the first write is held');
  gated.release(false);
  const [a, b] = await Promise.all([first, later]);
  assert.deepEqual(gated.handed, [[1], [2]]);
  assert.equal(b.prevHash, a.hash);
  await stores.close();
});

test('when a write fails, drafts that arrived meanwhile chain onto what is stored', async () => {
  const { stores, store, recorder } = await startedRecorder();
  const zero = await recorder.append(draft('s', 0));
  const gated = gatedAppends(store);
  const failing = recorder.append(draft('s', 1));
  await gated.held();
  const later = recorder.append(draft('s', 2));
  await new Promise((r) => setImmediate(r));
  gated.release(true);
  await assert.rejects(failing, (err: VigilError) => err.code === 'record_failed');
  const two = await later;
  assert.equal(two.seq, 1, 'event 2 takes the place event 1 could not');
  assert.equal(two.prevHash, zero.hash, 'and chains onto the last stored event, not the failed one');
  assert.equal(two.index, 1);
  const stored = await store.readSession('s');
  assert.deepEqual(
    stored.map((e) => e.payload?.n),
    [0, 2],
  );
  assert.equal(stored[1]!.prevHash, stored[0]!.hash);
  await stores.close();
});

test('drafts whose session head cannot be read are refused, not left waiting; the rest are written', async () => {
  const { stores, store, recorder } = await startedRecorder();
  await recorder.append(draft('known', 0));
  const restore = failing(store, 'sessionHead', 'connection lost');
  const [lost, kept] = await Promise.allSettled([
    recorder.append(draft('new-session', 1)),
    recorder.append(draft('known', 2)),
  ]);
  restore();
  assert.equal(lost.status, 'rejected');
  assert.equal((lost as PromiseRejectedResult).reason.code, 'record_failed');
  assert.equal(kept.status, 'fulfilled', 'a session whose head is known is not held up');
  const again = await recorder.append(draft('new-session', 3));
  assert.equal(again.seq, 0, 'nothing of the refused draft was stored');
  await stores.close();
});

test('a session.start opens its session without reading a head; one under a stored id is refused', async () => {
  const { stores, store, recorder } = await startedRecorder();
  const start = (sessionId: string, n: number): EventDraft => ({
    ...draft(sessionId, n),
    type: 'session.start',
  });
  let reads = 0;
  const original = store.sessionHead;
  store.sessionHead = (id) => {
    reads++;
    return original.call(store, id);
  };
  const opened = await recorder.append(start('fresh', 0));
  assert.equal(reads, 0, 'nothing to read for a new session');
  assert.deepEqual([opened.seq, opened.prevHash], [0, GENESIS_HASH]);
  await recorder.append(draft('fresh', 1));
  // The id is taken (as a second writer or a forgotten head would find it): the store refuses the
  // write rather than start a second chain under it, and the session's events stay as they were.
  recorder.forget('fresh');
  await assert.rejects(recorder.append(start('fresh', 2)), { code: 'record_failed' });
  assert.deepEqual(
    (await store.readSession('fresh')).map((e) => [e.seq, e.type, e.payload?.n]),
    [
      [0, 'session.start', 0],
      [1, 'llm.request', 1],
    ],
  );
  const next = await recorder.append(draft('fresh', 3));
  assert.equal(next.seq, 2, 'other drafts of the session still read its head and continue it');
  store.sessionHead = original;
  await stores.close();
});

test('a draft whose payload cannot be encoded is refused alone', async () => {
  const { stores, recorder } = await startedRecorder();
  const bad = { ...draft('s', 1), payload: { n: 1, big: 10n } as unknown as EventDraft['payload'] };
  const [a, b, c] = await Promise.allSettled([
    recorder.append(draft('s', 0)),
    recorder.append(bad),
    recorder.append(draft('s', 2)),
  ]);
  assert.equal(a.status, 'fulfilled');
  assert.equal(b.status, 'rejected');
  assert.equal(c.status, 'fulfilled');
  const stored = await stores.ledger.readSession('s');
  assert.deepEqual(
    stored.map((e) => [e.seq, e.payload?.n]),
    [
      [0, 0],
      [1, 2],
    ],
  );
  assert.equal(stored[1]!.prevHash, stored[0]!.hash);
  await stores.close();
});

test('a long queue is written in batches of MAX_BATCH, the next chained onto the one on disk', async () => {
  const { stores, store, recorder } = await startedRecorder();
  const gated = gatedAppends(store);
  const count = MAX_BATCH + 44;
  const all = Array.from({ length: count }, (_, i) => recorder.append(draft(i % 3 ? 's' : 't', i)));
  await gated.held();
  // Let the recorder prepare what it can while the first batch is held.
  await turnsUntil(() => gated.handed.length === 2);
  assert.equal(gated.handed.length, 2, 'the second batch is handed over while the first is on disk');
  assert.equal(gated.calls.length, 0, 'the second batch waits for the first to commit');
  assert.equal(gated.handed[0]!.length, MAX_BATCH);
  gated.release(false);
  const recorded = await Promise.all(all);
  assert.deepEqual(
    gated.calls.map((c) => c.length),
    [MAX_BATCH, 44],
  );
  assert.deepEqual(
    recorded.map((e) => e.index),
    Array.from({ length: count }, (_, i) => i),
  );
  for (const session of ['s', 't']) {
    const stored = await store.readSession(session);
    let prev = GENESIS_HASH;
    stored.forEach((e, i) => {
      assert.equal(e.seq, i);
      assert.equal(e.prevHash, prev, `${session}#${i} continues its chain across the two batches`);
      assert.equal(e.hash, chainHash(prev, e));
      prev = e.hash;
    });
  }
  await stores.close();
});

test('when a batch fails, the one prepared on top of it is prepared again on what is stored', async () => {
  const { stores, store, recorder } = await startedRecorder();
  const zero = await recorder.append(draft('s', -1));
  const gated = gatedAppends(store);
  const all = Array.from({ length: MAX_BATCH + 10 }, (_, i) => recorder.append(draft('s', i)));
  await gated.held();
  await turnsUntil(() => gated.handed.length === 2);
  assert.equal(gated.handed.length, 2, 'the second batch was handed over before the first failed');
  gated.release(true);
  const settled = await Promise.allSettled(all);
  assert.ok(settled.slice(0, MAX_BATCH).every((s) => s.status === 'rejected'));
  const kept = settled.slice(MAX_BATCH).map((s) => (s as PromiseFulfilledResult<RecordedEvent>).value);
  assert.deepEqual(
    kept.map((e) => e.seq),
    Array.from({ length: 10 }, (_, i) => i + 1),
    'the second batch takes the places the failed one could not',
  );
  assert.equal(kept[0]!.prevHash, zero.hash, 'and chains onto the last stored event');
  const stored = await store.readSession('s');
  assert.deepEqual(
    stored.map((e) => e.payload?.n),
    [-1, ...Array.from({ length: 10 }, (_, i) => MAX_BATCH + i)],
  );
  for (let i = 1; i < stored.length; i++) assert.equal(stored[i]!.prevHash, stored[i - 1]!.hash);
  await stores.close();
});

test('a commit listener that throws leaves no draft unanswered, and every answer matches the store', async () => {
  const { stores, store, recorder } = await startedRecorder();
  let commits = 0;
  recorder.onCommit(() => {
    if (commits++ === 0) throw new Error('listener broke');
  });
  const all = Array.from({ length: MAX_BATCH + 10 }, (_, i) => recorder.append(draft('s', i)));
  const settled = await Promise.allSettled(all);
  const stored = new Set((await store.readSession('s')).map((e) => e.payload?.n));
  settled.forEach((s, i) => {
    assert.equal(s.status === 'fulfilled', stored.has(i), `draft ${i}: answered as stored`);
  });
  assert.ok(stored.size > 0);
  // The recorder goes on: a later draft continues the stored chain.
  const later = await recorder.append(draft('s', 9999));
  const chain = await store.readSession('s');
  assert.equal(later.seq, chain.length - 1);
  for (let i = 1; i < chain.length; i++) assert.equal(chain[i]!.prevHash, chain[i - 1]!.hash);
  await stores.close();
});
