import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { VigilError } from '../core/errors.js';
import type { EventDraft } from '../core/events.js';
import type { StoreBundle } from '../core/ports.js';
import { configSchema } from '../protocols/index.js';
import { openStore } from '../store/index.js';
import { chainHash, GENESIS_HASH } from './chain.js';
import { Recorder } from './recorder.js';

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

test('concurrent appends are group-committed with contiguous indexes and per-session chains', async () => {
  const stores = await freshStore();
  const store = stores.ledger;
  const recorder = new Recorder(store);
  await recorder.init();
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
  const stores = await freshStore();
  const recorder = new Recorder(stores.ledger);
  await recorder.init();
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
  const stores = await freshStore();
  const store = stores.ledger;
  const recorder = new Recorder(store);
  await recorder.init();
  await recorder.append(draft('s', 0));
  const original = store.appendEvents.bind(store);
  store.appendEvents = async () => {
    throw new Error('disk full');
  };
  await assert.rejects(recorder.append(draft('s', 1)), (err: VigilError) => err.code === 'record_failed');
  store.appendEvents = original;
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
