// Store.readSessionPage's contract: a session read page by page is readSession, in order, each page
// at most `limit` events and, when a byte bound is given, ending with the event at which its payloads
// reach it (the first event whatever its size); `nextAfterSeq` says whether more remain.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { canonicalJson } from '../../src/core/canonical-json.js';
import { VigilError } from '../../src/core/errors.js';
import type { StoredEvent } from '../../src/core/events.js';
import type { SessionPageRequest, Store } from '../../src/core/ports.js';
import { draft, recorderFor, type StoreFactory, withStore } from './conformance-support.js';

/** Every page from the start, as a reader that follows `nextAfterSeq` gets them. */
async function allPages(ledger: Store, id: string, request: Omit<SessionPageRequest, 'afterSeq'>) {
  const pages: StoredEvent[][] = [];
  let afterSeq = -1;
  for (;;) {
    const page = await ledger.readSessionPage(id, { ...request, afterSeq });
    pages.push(page.events);
    if (page.nextAfterSeq === null) return pages;
    assert.equal(page.nextAfterSeq, page.events.at(-1)!.seq);
    afterSeq = page.nextAfterSeq;
    assert.ok(pages.length <= 1000, 'a page moves on');
  }
}

const bytesOf = (e: StoredEvent) => (e.payload === null ? 0 : Buffer.byteLength(canonicalJson(e.payload)));

export function sessionPageConformance(factory: StoreFactory): void {
  test('pages are the session in seq order, none longer than the limit, other sessions left out', () =>
    withStore(factory, async (store) => {
      const recorder = await recorderFor(store);
      for (let i = 0; i < 7; i++) {
        await recorder.append(draft('p', i, { payload: { n: i, text: 'é'.repeat(i * 40) } }), 'llm');
        if (i % 3 === 0) await recorder.append(draft('other', i), 'llm');
      }
      await recorder.drain();
      const whole = await store.ledger.readSession('p');
      assert.equal(whole.length, 7);
      for (const limit of [1, 2, 3, 7, 8, 500]) {
        const pages = await allPages(store.ledger, 'p', { limit });
        assert.deepEqual(pages.flat(), whole, `limit ${limit}`);
        assert.ok(pages.every((p) => p.length >= 1 && p.length <= limit));
        assert.equal(pages.length, Math.ceil(7 / limit));
      }
      // From the middle; past the end; an unknown session.
      const middle = await store.ledger.readSessionPage('p', { afterSeq: 2, limit: 2 });
      assert.deepEqual(middle, { events: whole.slice(3, 5), nextAfterSeq: 4 });
      assert.deepEqual(await store.ledger.readSessionPage('p', { afterSeq: 6, limit: 5 }), {
        events: [],
        nextAfterSeq: null,
      });
      assert.deepEqual(await store.ledger.readSessionPage('nope', { limit: 5 }), {
        events: [],
        nextAfterSeq: null,
      });
    }));

  test('a byte bound ends a page at the event whose payload reaches it, never before the first', () =>
    withStore(factory, async (store) => {
      const recorder = await recorderFor(store);
      // Payload sizes in UTF-8 bytes (é is two): small, large, small, ...
      const sizes = [10, 3000, 20, 20, 20, 5000, 10, 10];
      for (const [i, size] of sizes.entries()) {
        await recorder.append(draft('b', i, { payload: { text: 'é'.repeat(size) } }), 'llm');
      }
      await recorder.drain();
      const whole = await store.ledger.readSession('b');
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 9 }),
          fc.integer({ min: 1, max: 12_000 }),
          async (limit, max) => {
            const pages = await allPages(store.ledger, 'b', { limit, maxPayloadBytes: max });
            assert.deepEqual(pages.flat(), whole);
            for (const page of pages) {
              assert.ok(page.length >= 1 && page.length <= limit);
              // Everything before the page's last event stayed under the bound.
              const before = page.slice(0, -1).reduce((n, e) => n + bytesOf(e), 0);
              assert.ok(before < max, `${before} bytes before the last event of a page, bound ${max}`);
            }
          },
        ),
        { numRuns: 40 },
      );
      // The 6,000-byte event comes alone with a 100-byte bound, and is not skipped.
      const alone = await store.ledger.readSessionPage('b', { afterSeq: 0, limit: 10, maxPayloadBytes: 100 });
      assert.deepEqual(alone, { events: [whole[1]], nextAfterSeq: 1 });
    }));

  test('a page that could not move on is refused (usage)', () =>
    withStore(factory, async (store) => {
      for (const request of [
        { limit: 0 },
        { limit: 1.5 },
        { limit: Number.NaN },
        { limit: 5, afterSeq: -2 },
        { limit: 5, maxPayloadBytes: 0 },
      ]) {
        await assert.rejects(
          store.ledger.readSessionPage('p', request),
          (err) => err instanceof VigilError && err.code === 'usage',
          JSON.stringify(request),
        );
      }
    }));
}
