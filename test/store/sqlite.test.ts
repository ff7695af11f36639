// The SQLite store passes the conformance suite, opened as the gateway opens it: through the factory
// with the configuration's store section, in both append modes (worker thread and inline); and its
// log's purge records are read through an index.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { VigilError } from '../../src/core/errors.js';
import { PURGE_RECORD_TYPE } from '../../src/ledger/event-source.js';
import { configSchema } from '../../src/protocols/index.js';
import { openStore } from '../../src/store/index.js';
import { SqliteStoreBundle } from '../../src/store/sqlite/sqlite-store-bundle.js';
import { type StoreFactory, storeConformance } from './conformance.js';
import { recordedEvent } from './conformance-support.js';
import { sqliteDatabase } from './sqlite-handle.js';

function sqliteFactory(settings: Record<string, unknown>): StoreFactory {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-store-'));
    const store = await openStore(configSchema.parse({ store: { type: 'sqlite' }, ...settings }), dir);
    if (!(store instanceof SqliteStoreBundle)) throw new Error('store.type sqlite opened another store');
    return {
      store,
      async cleanup() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  };
}

storeConformance('sqlite', sqliteFactory({ durability: 'normal', append_in_worker: false }));
storeConformance('sqlite (appends in a worker)', sqliteFactory({}));

test('purge records are read through their partial index, not by scanning the log', async () => {
  const { store, cleanup } = await sqliteFactory({})();
  try {
    const plan = sqliteDatabase(store)
      .prepare(`EXPLAIN QUERY PLAN SELECT idx FROM events WHERE type = '${PURGE_RECORD_TYPE}' ORDER BY idx`)
      .all() as { detail: string }[];
    assert.match(plan.map((r) => r.detail).join('; '), /USING (?:COVERING )?INDEX events_purge_records/);
  } finally {
    await cleanup();
  }
});

for (const [mode, settings] of [
  ['inline', { durability: 'normal', append_in_worker: false }],
  ['in a worker', {}],
] as const) {
  test(`appendAfter (${mode}): the batch is written after the one before it, which need not have committed`, async () => {
    const { store, cleanup } = await sqliteFactory(settings)();
    try {
      const { ledger } = store;
      const events = [recordedEvent(0, 's', 0), recordedEvent(1, 's', 1), recordedEvent(2, 's', 2)];
      const first = ledger.appendEvents(events.slice(0, 2), [{ id: 's', protocol: 'llm' }]);
      const second = ledger.appendAfter!(events.slice(2));
      assert.deepEqual(await Promise.all([first, second]), [{ firstIndex: 0 }, { firstIndex: 2 }]);
      assert.deepEqual(await ledger.readSession('s'), events);
      assert.deepEqual(await ledger.sessionHead('s'), {
        nextSeq: 3,
        lastHash: events[2]!.hash,
        ended: false,
      });
    } finally {
      await cleanup();
    }
  });

  test(`appendAfter (${mode}): a batch that continues one that was not written is refused and writes nothing`, async () => {
    const { store, cleanup } = await sqliteFactory(settings)();
    try {
      const { ledger } = store;
      await ledger.appendEvents([recordedEvent(0, 's', 0)], [{ id: 's', protocol: 'llm' }]);
      // Index 0 is taken: the first is refused, and the two handed over behind it with it.
      const refused = await Promise.allSettled([
        ledger.appendEvents([recordedEvent(0, 's', 1)]),
        ledger.appendAfter!([recordedEvent(1, 's', 2)]),
        ledger.appendAfter!([recordedEvent(2, 's', 3)]),
      ]);
      assert.deepEqual(
        refused.map((r) => r.status === 'rejected' && (r.reason as VigilError).code),
        ['record_failed', 'record_failed', 'record_failed'],
      );
      assert.equal(await ledger.ledgerSize(), 1);
      assert.equal((await ledger.sessionHead('s'))?.nextSeq, 1);
      // A batch that does not continue the refused ones is written, and may be continued again.
      await ledger.appendEvents([recordedEvent(1, 's', 1)]);
      await ledger.appendAfter!([recordedEvent(2, 's', 2)]);
      assert.deepEqual(
        (await ledger.readSession('s')).map((e) => e.seq),
        [0, 1, 2],
      );
      // Refused before it reached the writer (its payload cannot be encoded): so is what continues it.
      const unencodable = { ...recordedEvent(3, 's', 3), payload: { n: 10n } as never };
      const early = await Promise.allSettled([
        ledger.appendEvents([unencodable]),
        ledger.appendAfter!([recordedEvent(4, 's', 4)]),
      ]);
      assert.deepEqual(
        early.map((r) => r.status),
        ['rejected', 'rejected'],
      );
      assert.equal(await ledger.ledgerSize(), 3);
    } finally {
      await cleanup();
    }
  });
}
