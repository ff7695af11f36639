// Store.readSessionContent's contract: a session's events of the selected types in seq order, as
// readSession gives them without ledger positions and hashes, each payload without the members the
// selection omits for its type. The reference is omitFromPayload over readSession; a SQL backend
// that leaves members out in SQL (SQLite's json_remove) must agree with it on any payload.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { VigilError } from '../../src/core/errors.js';
import type { EventContent, JsonObject, JsonValue, StoredEvent } from '../../src/core/events.js';
import type { EventSelection } from '../../src/core/ports.js';
import { omitFromPayload, omittedPaths } from '../../src/store/event-content.js';
import { draft, recorderFor, type StoreFactory, withStore } from './conformance-support.js';

/** What readSessionContent must return, computed from readSession. */
function expected(events: readonly StoredEvent[], selection: EventSelection): EventContent[] {
  const omitted = omittedPaths(selection);
  return events
    .filter((e) => selection.types.includes(e.type))
    .map((e) => {
      const paths = omitted.get(e.type);
      const payload = e.payload && paths ? omitFromPayload(structuredClone(e.payload), paths) : e.payload;
      return {
        sessionId: e.sessionId,
        seq: e.seq,
        type: e.type,
        time: e.time,
        identity: e.identity,
        payload,
        ...(e.payloadObject ? { payloadObject: e.payloadObject } : {}),
      };
    });
}

const SELECTION: EventSelection = {
  types: ['llm.request', 'llm.response', 'db.query'],
  omit: { 'llm.response': ['usage', 'body.choices', 'body.missing.deeper'], 'llm.request': ['body.tools'] },
};

export function contentConformance(factory: StoreFactory): void {
  test('the selected types only, in seq order, the omitted members left out', () =>
    withStore(factory, async (store) => {
      const recorder = await recorderFor(store);
      const body = { id: 'chatcmpl-1', choices: [{ index: 0 }], model: 'm' };
      await recorder.append(draft('c', 0, { type: 'session.start', payload: { who: 'alice' } }), 'llm');
      await recorder.append(
        draft('c', 1, { payload: { requestId: 'r1', body: { messages: [], tools: [1] } } }),
      );
      await recorder.append(draft('other', 2, { payload: { requestId: 'r9' } }), 'llm');
      await recorder.append(
        draft('c', 3, {
          type: 'llm.response',
          payload: { requestId: 'r1', usage: { total: 3 }, body, choices: [{ index: 0, text: 'hi' }] },
        }),
      );
      await recorder.append(draft('c', 4, { type: 'ssh.output', payload: { data: 'x' } }));
      // `body` is not an object here: the path through it leaves the payload alone.
      await recorder.append(
        draft('c', 5, { type: 'llm.response', payload: { requestId: 'r2', body: 'text' } }),
      );
      await recorder.append(
        draft('c', 6, { type: 'db.query', payload: { statement: 'SELECT 1', usage: 1 } }),
      );
      await recorder.drain();

      // Seqs are the session's own: 0 session.start, 3 the ssh.output left out.
      const content = await store.ledger.readSessionContent('c', SELECTION);
      assert.deepEqual(
        content.map((e) => [e.seq, e.type, e.payload]),
        [
          [1, 'llm.request', { requestId: 'r1', body: { messages: [] } }],
          [
            2,
            'llm.response',
            { requestId: 'r1', body: { id: 'chatcmpl-1', model: 'm' }, choices: [{ index: 0, text: 'hi' }] },
          ],
          [4, 'llm.response', { requestId: 'r2', body: 'text' }],
          [5, 'db.query', { statement: 'SELECT 1', usage: 1 }],
        ],
      );
      assert.deepEqual(content, expected(await store.ledger.readSession('c'), SELECTION));
      assert.ok(content.every((e) => !('hash' in e) && !('payloadHash' in e) && !('index' in e)));
      // Nothing omitted: the payloads as readSession gives them.
      const whole = { types: SELECTION.types };
      assert.deepEqual(
        await store.ledger.readSessionContent('c', whole),
        expected(await store.ledger.readSession('c'), whole),
      );
      assert.deepEqual(await store.ledger.readSessionContent('nope', SELECTION), []);
      assert.deepEqual(await store.ledger.readSessionContent('c', { types: [] }), []);
    }));

  test('a path that is not plain keys is refused', () =>
    withStore(factory, async (store) => {
      await assert.rejects(
        store.ledger.readSessionContent('c', {
          types: ['llm.response'],
          omit: { 'llm.response': ["a') --"] },
        }),
        (err) => err instanceof VigilError && err.code === 'usage',
      );
    }));

  test('property: whatever the payloads, the members left out are exactly those the reference leaves out', () =>
    withStore(factory, async (store) => {
      const recorder = await recorderFor(store);
      const key = fc.constantFrom('a', 'b', 'body', 'usage', 'choices', 'x_1');
      const json: fc.Arbitrary<JsonValue> = fc.letrec((tie) => ({
        value: fc.oneof(
          { depthSize: 'small' },
          fc.constant(null),
          fc.boolean(),
          fc.integer(),
          fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
          fc.string(),
          fc.array(tie('value'), { maxLength: 3 }),
          fc.dictionary(key, tie('value'), { maxKeys: 4 }),
        ),
      })).value as fc.Arbitrary<JsonValue>;
      const path = fc.array(key, { minLength: 1, maxLength: 3 }).map((keys) => keys.join('.'));
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.dictionary(key, json, { maxKeys: 5 }), { minLength: 1, maxLength: 4 }),
          fc.array(path, { maxLength: 4 }),
          async (payloads, paths) => {
            const id = `prop-${run++}`;
            for (const [i, payload] of payloads.entries()) {
              await recorder.append(
                draft(id, i, { type: 'llm.response', payload: payload as JsonObject }),
                i === 0 ? 'llm' : undefined,
              );
            }
            await recorder.drain();
            const selection: EventSelection = { types: ['llm.response'], omit: { 'llm.response': paths } };
            assert.deepEqual(
              await store.ledger.readSessionContent(id, selection),
              expected(await store.ledger.readSession(id), selection),
            );
          },
        ),
        { numRuns: 30 },
      );
    }));
}
