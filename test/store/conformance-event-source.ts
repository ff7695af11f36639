// The fast log reader (StoreBundle.eventSource) against the Store it reads: the same rows, counts and
// purge records as the generic reader over the Store port, so verification judges the same bytes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RawEventRow, SessionRecord, StoreBundle } from '../../src/core/ports.js';
import { PURGE_RECORD_TYPE, storeEventSource } from '../../src/ledger/event-source.js';
import { Keyring } from '../../src/ledger/keyring.js';
import { purgeRecordPayload } from '../../src/ledger/purge-record.js';
import { verifyLedger } from '../../src/ledger/verify.js';
import { at, draft, identityOf, recorderFor, type StoreFactory, withStore } from './conformance-support.js';

/** Sessions of two identities, unusual text, a purge record and a purge: what verification meets. */
async function populate(store: StoreBundle): Promise<void> {
  const recorder = await recorderFor(store);
  await recorder.append(draft('a', 0, { payload: { text: 'ünïcode ✓ "quotes" \\ and \u0000 nul' } }), 'llm');
  await recorder.append(draft('b', 1, { identity: { ...identityOf('bob'), tokenId: 'vt-9' } }), 'postgres');
  await recorder.append(draft('a', 2, { payload: { nested: { list: [1, 'two', null, 2.5] }, z: 1, a: 2 } }));
  await recorder.append(draft('b', 3, { type: 'session.end', payload: { reason: 'closed' } }));
  // Drops the payload of event 0 only (the one recorded before at(1)).
  await store.ledger.purgePayloads(at(1), async (plan) => {
    const payload = purgeRecordPayload({ ...plan, reason: 'retention', operator: 'local:test' });
    await recorder.append(draft('purge', 4, { type: PURGE_RECORD_TYPE, payload }), 'cli');
  });
  await recorder.append(draft('a', 5));
}

/** The row as any reader must give it; `subject` is an optional denormalised copy. */
function comparable(row: RawEventRow): Omit<RawEventRow, 'subject'> {
  const { subject, ...rest } = row;
  if (subject !== null)
    assert.equal(subject, JSON.parse(row.identity).subject, `subject of event ${row.index}`);
  return rest;
}

function sortedRecords(records: readonly SessionRecord[]): SessionRecord[] {
  return [...records].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function eventSourceConformance(factory: StoreFactory): void {
  test('the fast reader gives the rows, count, session records and purge records the Store gives', () =>
    withStore(factory, async (store) => {
      const fast = store.eventSource;
      assert.equal(await fast.count(), 0);
      assert.deepEqual(await fast.readEvents(0, 10), []);
      await populate(store);
      const generic = storeEventSource(store.ledger);

      const rows = await fast.readEvents(0, 1000);
      assert.deepEqual(
        rows.map((r) => r.index),
        [0, 1, 2, 3, 4, 5],
      );
      assert.deepEqual(rows.map(comparable), (await generic.readEvents(0, 1000)).map(comparable));
      assert.deepEqual((await fast.readEvents(2, 3)).map(comparable), rows.slice(2, 5).map(comparable));
      assert.equal(rows[0]!.payload, null, 'a purged payload reads as null');
      assert.equal(await fast.count(), await store.ledger.ledgerSize());
      const records = sortedRecords(await fast.sessionRecords());
      assert.deepEqual(records, sortedRecords(await generic.sessionRecords()));
      assert.deepEqual(
        records.map((r) => [r.id, r.eventCount]),
        [
          ['a', 3],
          ['b', 2],
          ['purge', 1],
        ],
      );
      // Each record repeats its session's first event: what verification checks it against.
      for (const record of records) {
        const first = rows.find((r) => r.sessionId === record.id && r.seq === 0)!;
        assert.deepEqual(
          [record.connection, record.identity, record.startedAt, record.subject],
          [first.connection, first.identity, first.time, JSON.parse(first.identity).subject],
          `record of ${record.id}`,
        );
      }
      assert.deepEqual(
        (await fast.purgeRecords()).map(comparable),
        rows.filter((r) => r.type === PURGE_RECORD_TYPE).map(comparable),
      );
      assert.equal((await fast.purgeRecords()).length, 1);
    }));

  test('the ledger verifies through the fast reader, and it sees appends made after it was opened', () =>
    withStore(factory, async (store) => {
      await populate(store);
      const report = await verifyLedger(store.eventSource, [], { keyring: new Keyring() });
      assert.equal(report.fault, null, JSON.stringify(report.fault));
      assert.equal(report.purged, 1);
      assert.equal(report.events, 6);
      const recorder = await recorderFor(store);
      await recorder.append(draft('late', 9), 'llm');
      assert.equal(await store.eventSource.count(), 7);
      assert.equal((await store.eventSource.readEvents(6, 10))[0]?.sessionId, 'late');
    }));
}
