// Batches that a wrapper prepares asynchronously (object storage first) still reach the backend in
// the order they came, and one handed over behind a batch that never reached it is refused: on the
// SQLite store with its append worker, where the session index shows a batch written out of order.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { VigilError } from '../../src/core/errors.js';
import type { RecordedEvent } from '../../src/core/events.js';
import type { Store } from '../../src/core/ports.js';
import { configSchema } from '../../src/protocols/index.js';
import { openStore } from '../../src/store/index.js';
import { orderedAppends } from '../../src/store/ordered-appends.js';
import { recordedEvent } from './conformance-support.js';

/** A prepare step for the first batch only, held until released (or failed). */
function heldPreparation() {
  let settle: ((ok: boolean) => void) | null = null;
  let first = true;
  return {
    needsPreparing: () => first,
    prepare: async (events: readonly RecordedEvent[]) => {
      if (!first) return events;
      first = false;
      const ok = await new Promise<boolean>((resolve) => {
        settle = resolve;
      });
      if (!ok) throw new Error('the object store is away');
      return events;
    },
    release: (ok: boolean) => settle!(ok),
  };
}

/** The embedded store as the gateway opens it (appends in a worker). */
async function withSqlite(run: (store: Store) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-ordered-'));
  const stores = await openStore(configSchema.parse({}), dir);
  try {
    await run(stores.ledger);
  } finally {
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a batch handed over behind one still being prepared reaches the store after it', () =>
  withSqlite(async (store) => {
    const held = heldPreparation();
    const appends = orderedAppends(store, held.needsPreparing, held.prepare);
    const first = appends.appendEvents([recordedEvent(0, 's', 0)], [{ id: 's', protocol: 'llm' }]);
    const second = appends.appendAfter!([recordedEvent(1, 's', 1)]);
    await new Promise((r) => setImmediate(r));
    assert.equal(await store.ledgerSize(), 0, 'nothing is written while the first batch is prepared');
    held.release(true);
    assert.deepEqual(await Promise.all([first, second]), [{ firstIndex: 0 }, { firstIndex: 1 }]);
    // Written out of order, the session index would end at the first batch's head.
    assert.equal((await store.sessionHead('s'))?.nextSeq, 2);
    assert.deepEqual(
      (await store.readSession('s')).map((e) => e.seq),
      [0, 1],
    );
  }));

test('a batch handed over behind one whose preparation failed is refused, writing nothing', () =>
  withSqlite(async (store) => {
    const held = heldPreparation();
    const appends = orderedAppends(store, held.needsPreparing, held.prepare);
    const first = appends.appendEvents([recordedEvent(0, 's', 0)], [{ id: 's', protocol: 'llm' }]);
    const second = appends.appendAfter!([recordedEvent(1, 's', 1)]);
    held.release(false);
    const settled = await Promise.allSettled([first, second]);
    assert.equal(settled[0].status, 'rejected');
    assert.equal(settled[1].status, 'rejected');
    assert.equal(((settled[1] as PromiseRejectedResult).reason as VigilError).code, 'record_failed');
    assert.equal(await store.ledgerSize(), 0);
    // A batch that does not continue them is written.
    await appends.appendEvents([recordedEvent(0, 's', 0)], [{ id: 's', protocol: 'llm' }]);
    assert.equal((await store.sessionHead('s'))?.nextSeq, 1);
  }));

test('a backend without appendAfter is not offered one', () => {
  const { appendAfter: _, ...withoutIt } = {} as { appendAfter?: unknown };
  const backend = { appendEvents: async () => ({ firstIndex: 0 }), ...withoutIt };
  const appends = orderedAppends(
    backend as never,
    () => false,
    async (events) => events,
  );
  assert.equal(appends.appendAfter, undefined);
});
