// Two gateway replicas on one PostgreSQL store: bob asks for access through replica B, and a
// reviewer decides on replica A. The request's session was opened on B; A records its end with the
// outcome. B learns of the decision from the store (its notice, or the approvals poll) and lets go
// of the session without recording anything. Until 7 December B kept it live: no access went
// through it, but B's shutdown, or bob's offboarding, recorded a second session.end (and an
// access.revoked) in a session the ledger had already closed. Each test starts its own pair: B is
// shut down, or bob disabled, in the middle of it.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { openSharedStore, sessionEvents, type TestGateway } from '../support/gateway.js';
import {
  accessRequestSettings,
  askAsBob,
  closeReplicaPair,
  decideAsAudrey,
  startReplicaPair,
} from '../support/replicas.js';

let a: TestGateway | undefined;
let b: TestGateway | undefined;

afterEach(async () => {
  await closeReplicaPair(a, b);
  a = b = undefined;
});

async function startPair(): Promise<{ a: TestGateway; b: TestGateway }> {
  const pair = await startReplicaPair(accessRequestSettings({ approvers: ['group:security'], required: 1 }));
  ({ a, b } = pair);
  return pair;
}

/** bob's access request, made through replica B: the record, whose session B opened. */
const askOnB = askAsBob;
const decideOnA = (a: TestGateway, id: string, decision: 'approve' | 'deny') =>
  decideAsAudrey(a, id, decision, 'INC-7');

const liveOn = (gateway: TestGateway, sessionId: string) =>
  gateway.sessions.liveSessions().some((s) => s.sessionId === sessionId);

/** Waits (at most 3 s) until B no longer holds the session; then goes on either way, for the ledger to judge. */
async function lettingGo(b: TestGateway, sessionId: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (liveOn(b, sessionId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

/** The session's events of `type`, as the shared store has them once both replicas' writes are in. */
async function eventsIn(a: TestGateway, sessionId: string, type: string) {
  await a.recorder.drain();
  return (await sessionEvents(a)).filter((e) => e.sessionId === sessionId && e.type === type);
}

test('decided on replica A, then replica B shuts down: each request session ends once, as decided', async () => {
  const { a, b } = await startPair();
  const approved = await askOnB(b, 'INC-1');
  const denied = await askOnB(b, 'INC-2');
  await decideOnA(a, approved.id, 'approve');
  await decideOnA(a, denied.id, 'deny');
  await lettingGo(b, approved.sessionId);
  await lettingGo(b, denied.sessionId);

  await b.close();
  for (const [record, outcome] of [
    [approved, 'approved'],
    [denied, 'denied'],
  ] as const) {
    const ends = await eventsIn(a, record.sessionId, 'session.end');
    assert.equal(ends.length, 1, `${outcome}: ${JSON.stringify(ends.map((e) => e.payload))}`);
    assert.equal(ends[0]!.payload?.outcome, outcome);
  }
});

test('denied on replica A, then bob is offboarded: B records no access.revoked or second end in it', async () => {
  const { a, b } = await startPair();
  const denied = await askOnB(b, 'INC-3');
  await decideOnA(a, denied.id, 'deny');
  await lettingGo(b, denied.sessionId);
  // A request still pending: its session on B is cut when B reads the offboarding, which tells
  // the test that B has read it.
  const pending = await askOnB(b, 'INC-4');

  const cli = await openSharedStore(a);
  try {
    await cli.access.disableIdentity('bob', new Date().toISOString(), 'contract ended');
  } finally {
    await cli.close();
  }
  const deadline = Date.now() + 3000;
  while (liveOn(b, pending.sessionId)) {
    if (Date.now() > deadline) assert.fail('B did not read the offboarding');
    await new Promise((r) => setTimeout(r, 50));
  }
  await b.recorder.drain();

  const revoked = await eventsIn(a, denied.sessionId, 'access.revoked');
  assert.deepEqual(
    revoked.map((e) => e.payload),
    [],
  );
  const ends = await eventsIn(a, denied.sessionId, 'session.end');
  assert.equal(ends.length, 1, JSON.stringify(ends.map((e) => e.payload)));
  assert.equal(ends[0]!.payload?.outcome, 'denied');
});
