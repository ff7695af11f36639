// The ledger Store's contract: atomic batches, reads by session and in global order, session heads,
// session listings and search, open sessions, checkpoints.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { RecordedEvent, StoredEvent } from '../../src/core/events.js';
import type { SignedCheckpoint } from '../../src/core/ports.js';
import {
  at,
  type ConformanceOptions,
  draft,
  identityOf,
  recordedEvent,
  recorderFor,
  type StoreFactory,
  withStore,
} from './conformance-support.js';

const ids = (list: readonly { id: string }[]) => list.map((s) => s.id);

export function ledgerConformance(factory: StoreFactory, options: ConformanceOptions = {}): void {
  test('an empty store has no events, sessions or checkpoints', () =>
    withStore(factory, async ({ ledger }) => {
      assert.equal(await ledger.ledgerSize(), 0);
      assert.deepEqual(await ledger.readEvents(0, 10), []);
      assert.deepEqual(await ledger.readSession('nope'), []);
      assert.equal(await ledger.sessionHead('nope'), null);
      assert.equal(await ledger.getSession('nope'), null);
      assert.deepEqual(await ledger.listSessions({}), []);
      assert.deepEqual(await ledger.openSessions(), []);
      assert.deepEqual(await ledger.listCheckpoints(), []);
      assert.equal(await ledger.latestCheckpoint(), null);
    }));

  test('batches are stored as given and read back by session and in global order', () =>
    withStore(factory, async ({ ledger }) => {
      const first = [recordedEvent(0, 's1', 0), recordedEvent(1, 's2', 0), recordedEvent(2, 's1', 1)];
      await ledger.appendEvents(first, [
        { id: 's1', protocol: 'llm' },
        { id: 's2', protocol: 'postgres' },
      ]);
      const second = [recordedEvent(3, 's2', 1)];
      await ledger.appendEvents(second);
      const all: RecordedEvent[] = [...first, ...second];

      assert.equal(await ledger.ledgerSize(), 4);
      assert.deepEqual(await ledger.readEvents(0, 100), all satisfies StoredEvent[]);
      assert.deepEqual(
        (await ledger.readEvents(1, 2)).map((e) => e.index),
        [1, 2],
      );
      assert.deepEqual(await ledger.readEvents(4, 10), []);
      assert.deepEqual(await ledger.readSession('s1'), [all[0], all[2]]);
      assert.deepEqual(await ledger.readSession('s2'), [all[1], all[3]]);

      assert.deepEqual(await ledger.getSession('s2'), {
        id: 's2',
        connection: 'openai',
        protocol: 'postgres',
        identity: identityOf('alice'),
        startedAt: at(1),
        lastEventAt: at(3),
        endedAt: null,
        endReason: null,
        eventCount: 2,
      });
      assert.deepEqual(await ledger.sessionHead('s1'), { nextSeq: 2, lastHash: all[2]!.hash, ended: false });
    }));

  test('a batch is all or nothing: one event at a taken position refuses the whole batch', () =>
    withStore(factory, async ({ ledger }) => {
      await ledger.appendEvents([recordedEvent(0, 's1', 0)], [{ id: 's1', protocol: 'llm' }]);
      const takenIndex = [recordedEvent(1, 's1', 1), recordedEvent(2, 's2', 0), recordedEvent(0, 's3', 0)];
      const takenSeq = [recordedEvent(1, 's4', 0), recordedEvent(2, 's1', 0)];
      for (const batch of [takenIndex, takenSeq]) {
        await assert.rejects(ledger.appendEvents(batch), { code: 'record_failed' });
        assert.equal(await ledger.ledgerSize(), 1);
        assert.deepEqual(await ledger.readEvents(0, 10), [recordedEvent(0, 's1', 0)]);
        assert.equal((await ledger.sessionHead('s1'))?.nextSeq, 1, 'the head did not move');
        for (const id of ['s2', 's3', 's4']) {
          assert.equal(await ledger.sessionHead(id), null, `${id} was not started`);
          assert.equal(await ledger.getSession(id), null);
        }
        assert.equal((await ledger.getSession('s1'))?.eventCount, 1);
      }
      // The store stays usable: the same positions, rightly filled, are accepted.
      await ledger.appendEvents([recordedEvent(1, 's1', 1), recordedEvent(2, 's2', 0)]);
      assert.equal(await ledger.ledgerSize(), 3);
    }));

  test('session heads let a new recorder continue every chain; session.end marks the session ended', () =>
    withStore(factory, async (store) => {
      const recorder = await recorderFor(store);
      const a = [
        await recorder.append(draft('a', 0), 'llm'),
        await recorder.append(draft('a', 1)),
        await recorder.append(draft('a', 2, { type: 'session.end', payload: { reason: 'closed' } })),
      ];
      const b = await recorder.append(draft('b', 3), 'llm');
      assert.deepEqual(await store.ledger.sessionHead('a'), {
        nextSeq: 3,
        lastHash: a[2]!.hash,
        ended: true,
      });
      assert.deepEqual(await store.ledger.sessionHead('b'), { nextSeq: 1, lastHash: b.hash, ended: false });
      const summary = await store.ledger.getSession('a');
      assert.equal(summary?.endedAt, at(2));
      assert.equal(summary?.endReason, 'closed');

      const next = await (await recorderFor(store)).append(draft('b', 4));
      assert.equal(next.seq, 1);
      assert.equal(next.index, 4);
      assert.equal(next.prevHash, b.hash);
    }));

  test('listSessions: newest first, by identity, connection, activity window, limit; open sessions', () =>
    withStore(factory, async (store) => {
      const recorder = await recorderFor(store);
      await recorder.append(draft('s-old', 0), 'llm');
      await recorder.append(draft('s-old', 10_000, { type: 'session.end', payload: { reason: 'idle' } }));
      const bob = { identity: identityOf('bob'), connection: 'pg' };
      await recorder.append(draft('s-mid', 20_000, bob), 'postgres');
      await recorder.append(draft('s-mid', 30_000, bob));
      await recorder.append(draft('s-new', 40_000, { connection: 'pg' }), 'postgres');
      const ledger = store.ledger;

      assert.deepEqual(ids(await ledger.listSessions({})), ['s-new', 's-mid', 's-old']);
      assert.deepEqual(ids(await ledger.listSessions({ identity: 'alice' })), ['s-new', 's-old']);
      assert.deepEqual(ids(await ledger.listSessions({ connection: 'pg' })), ['s-new', 's-mid']);
      assert.deepEqual(ids(await ledger.listSessions({ identity: 'bob', connection: 'openai' })), []);
      assert.deepEqual(ids(await ledger.listSessions({ since: at(30_000) })), ['s-new', 's-mid']);
      assert.deepEqual(ids(await ledger.listSessions({ since: at(30_001) })), ['s-new']);
      assert.deepEqual(
        ids(await ledger.listSessions({ until: at(20_000) })),
        ['s-old'],
        'until keeps sessions started strictly before it',
      );
      assert.deepEqual(ids(await ledger.listSessions({ limit: 2 })), ['s-new', 's-mid']);
      const mid = await ledger.getSession('s-mid');
      assert.equal(mid?.protocol, 'postgres');
      assert.deepEqual(mid?.identity, identityOf('bob'));
      assert.equal(mid?.eventCount, 2);
      assert.deepEqual(ids(await ledger.openSessions()).sort(), ['s-mid', 's-new']);
    }));

  test('listSessions pages on after the last session read, even among sessions that started in one millisecond', () =>
    withStore(factory, async (store) => {
      const recorder = await recorderFor(store);
      // Five sessions in one millisecond (a pool opening connections, concurrent model calls).
      for (const id of ['t-c', 't-a', 't-e', 't-b', 't-d']) await recorder.append(draft(id, 5_000), 'llm');
      await recorder.append(draft('t-older', 4_000), 'llm');
      const ledger = store.ledger;
      const read: string[] = [];
      let page = await ledger.listSessions({ limit: 2 });
      while (page.length > 0) {
        read.push(...ids(page));
        const last = page.at(-1)!;
        page = await ledger.listSessions({ limit: 2, until: last.startedAt, afterId: last.id });
      }
      // Before 5 December a page went on from `until` alone, strictly before it: t-c, t-d and t-e,
      // which started in the same millisecond as the page's last session, were never listed.
      assert.deepEqual(read, ['t-a', 't-b', 't-c', 't-d', 't-e', 't-older']);
      assert.deepEqual(
        ids(await ledger.listSessions({ until: at(5_000) })),
        ['t-older'],
        'until alone still keeps sessions started strictly before it',
      );
    }));

  test('listSessions narrows to one kind of holder: the user deploy is not the service account deploy', () =>
    withStore(factory, async (store) => {
      const recorder = await recorderFor(store);
      const user = { subject: 'deploy', kind: 'user', groups: [] } as const;
      const service = { subject: 'deploy', kind: 'service', groups: [] } as const;
      await recorder.append(draft('k-user', 0, { identity: user }), 'llm');
      await recorder.append(draft('k-service', 1, { identity: service }), 'llm');
      const ledger = store.ledger;
      assert.deepEqual(ids(await ledger.listSessions({ identity: 'deploy' })), ['k-service', 'k-user']);
      assert.deepEqual(ids(await ledger.listSessions({ identity: 'deploy', identityKind: 'user' })), [
        'k-user',
      ]);
      assert.deepEqual(ids(await ledger.listSessions({ identity: 'deploy', identityKind: 'service' })), [
        'k-service',
      ]);
    }));

  test('listSessions returns 100 sessions unless told otherwise', () =>
    withStore(factory, async ({ ledger }) => {
      const events = Array.from({ length: 105 }, (_, i) => recordedEvent(i, `bulk-${i}`, 0));
      await ledger.appendEvents(events);
      const listed = await ledger.listSessions({});
      assert.equal(listed.length, 100);
      assert.equal(listed[0]!.id, 'bulk-104');
      assert.equal((await ledger.listSessions({ limit: 1000 })).length, 105);
    }));

  test('search finds text in any payload, case-insensitively, with no wildcards of its own', () =>
    withStore(factory, async (store) => {
      const recorder = await recorderFor(store);
      await recorder.append(draft('plain', 0, { payload: { prompt: 'hello there' } }), 'llm');
      await recorder.append(draft('quoted', 1, { payload: { prompt: 'first' } }), 'llm');
      await recorder.append(
        draft('quoted', 2, {
          type: 'llm.response',
          payload: { text: 'Drop TABLE "users"; 100%_done \\ ok' },
        }),
      );
      const found = async (search: string) => ids(await store.ledger.listSessions({ search })).sort();
      if (options.offloaded) {
        // Search reads the payloads the store holds; objects are not searched (a documented limit).
        assert.deepEqual(await found('drop table'), []);
        assert.deepEqual(await found('HELLO'), []);
        return;
      }
      assert.deepEqual(await found('drop table'), ['quoted'], 'case-insensitive, in a later event');
      assert.deepEqual(await found('"users"'), ['quoted'], 'quotes as typed');
      assert.deepEqual(await found('\\ ok'), ['quoted'], 'a backslash as typed');
      assert.deepEqual(await found('%'), ['quoted'], '% is a character, not a wildcard');
      assert.deepEqual(await found('_'), ['quoted'], '_ is a character, not a wildcard');
      assert.deepEqual(await found('HELLO'), ['plain']);
      assert.deepEqual(await found('no such text'), []);
      assert.deepEqual(ids(await store.ledger.listSessions({ search: 'hello', identity: 'bob' })), []);
    }));

  test('checkpoints are kept as given and listed by size', () =>
    withStore(factory, async ({ ledger }) => {
      const cp = (size: number): SignedCheckpoint => ({
        size,
        root: size.toString(16).padStart(64, '0'),
        time: at(size),
        keyId: 'abcdef0123456789',
        signature: Buffer.from(`sig-${size}`).toString('base64'),
      });
      await ledger.appendCheckpoint(cp(5));
      await ledger.appendCheckpoint(cp(2));
      await ledger.appendCheckpoint(cp(9));
      assert.deepEqual(await ledger.listCheckpoints(), [cp(2), cp(5), cp(9)]);
      assert.deepEqual(await ledger.latestCheckpoint(), cp(9), 'the largest, not the last written');
    }));

  test('property: whatever the interleaving and batching, reads agree with the order of appends', () =>
    withStore(factory, async (store) => {
      const recorder = await recorderFor(store);
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 6 }), {
            minLength: 1,
            maxLength: 5,
          }),
          async (groups) => {
            const prefix = `p${run++}-`;
            const from = await store.ledger.ledgerSize();
            const appended: RecordedEvent[] = [];
            let ms = 0;
            // Each group is appended at once: the recorder commits it in one or more batches.
            for (const group of groups)
              appended.push(
                ...(await Promise.all(
                  group.map((s) => recorder.append(draft(`${prefix}${s}`, ms++), 'llm')),
                )),
              );
            appended.sort((x, y) => x.index - y.index);
            assert.deepEqual(await store.ledger.readEvents(from, 1000), appended);
            for (const id of new Set(appended.map((e) => e.sessionId))) {
              const mine = appended.filter((e) => e.sessionId === id);
              assert.deepEqual(await store.ledger.readSession(id), mine);
              assert.deepEqual(await store.ledger.sessionHead(id), {
                nextSeq: mine.length,
                lastHash: mine.at(-1)!.hash,
                ended: false,
              });
              assert.equal((await store.ledger.getSession(id))?.eventCount, mine.length);
            }
          },
        ),
        { numRuns: 40 },
      );
    }));
}
