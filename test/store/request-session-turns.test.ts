// On PostgreSQL, where several replicas share the store, two replicas ending one request's session
// take turns: the second reads the end the first recorded. (The rest of the request-session contract
// runs on every store in the conformance suite: conformance-request-sessions.ts.)
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { RequestSessionState } from '../../src/core/approval-ports.js';
import { configSchema } from '../../src/protocols/index.js';
import { openStore } from '../../src/store/index.js';
import { closeSharedTestPostgres, scratchPostgresStore } from '../support/postgres-store.js';
import type { StoreFactory } from './conformance.js';
import { approval, draft, recorderFor, withStore } from './conformance-support.js';

const postgresFactory: StoreFactory = async () => {
  const scratch = await scratchPostgresStore('schema', { max: 4 });
  const store = await openStore(configSchema.parse({ store: scratch.section }), '/nonexistent');
  return {
    store,
    async cleanup() {
      await store.close();
      await scratch.drop();
    },
  };
};

test('postgres: two replicas ending one request session take turns, and the second finds it ended', () =>
  withStore(postgresFactory, async (store) => {
    await store.approvals.createApproval(approval('a1', { kind: 'access', rule: null }));
    const recorder = await recorderFor(store);
    await recorder.append(draft('session-a1', 1, { type: 'session.start', payload: {} }), 'access-request');
    await recorder.drain();

    let letGo!: () => void;
    const holding = new Promise<void>((r) => {
      letGo = r;
    });
    let entered!: () => void;
    const inside = new Promise<void>((r) => {
      entered = r;
    });
    // The first replica reads "not ended" and records the end, holding the request meanwhile.
    const first = store.approvals.settleRequestSession('a1', async (state) => {
      entered();
      await holding;
      if (!state.sessionEnded)
        await recorder.append(
          draft('session-a1', 2, { type: 'session.end', payload: { reason: 'shutdown' } }),
        );
      return state;
    });
    await inside;
    const seenSecond: RequestSessionState[] = [];
    const second = store.approvals.settleRequestSession('a1', async (state) => {
      seenSecond.push(state);
      return state;
    });
    // The second waits for the first: it has read nothing yet.
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(seenSecond, [], 'the second replica waits while the first holds the request');
    letGo();
    assert.deepEqual(await first, { status: 'pending', sessionEnded: false });
    assert.deepEqual(await second, { status: 'pending', sessionEnded: true });
  }));

after(() => closeSharedTestPostgres());
