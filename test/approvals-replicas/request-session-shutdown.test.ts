// Two gateway replicas on one PostgreSQL store: bob asks for access through replica B, whose session
// the request has, and B shuts down around a decision made on replica A. The ledger must hold one
// end of that session, whichever replica writes it:
// - decided on A before B has read the decision (the store's notice, or its approvals poll): B's
//   shutdown asks the store, finds the request settled, and lets go of the session; A's end, with
//   the outcome, is the only one. B is kept from reading the decision here by stopping its approvals
//   poll (which the notice also runs), so the window stays open for as long as the test needs.
// - B shut down while the request was pending (its shutdown ended the session), then A decides:
//   A finds the session ended in the store and records no second end.
// Until 7 December both recorded a second session.end in a session the ledger had closed already.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { sessionEvents, type TestGateway } from '../support/gateway.js';
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
  decideAsAudrey(a, id, decision, 'INC-8');

/** The session.end events of a session, once every write of A's is in (B has closed). */
async function endsOf(gateway: TestGateway, sessionId: string) {
  await gateway.recorder.drain();
  return (await sessionEvents(gateway))
    .filter((e) => e.sessionId === sessionId && e.type === 'session.end')
    .map((e) => e.payload);
}

test('decided on A before B reads it, then B shuts down: B lets go, and the session ends once, as decided', async () => {
  const { a, b } = await startPair();
  const approved = await askOnB(b, 'INC-1');
  const denied = await askOnB(b, 'INC-2');
  // B reads no decision from now on: neither its poll nor the store's notice (which runs the poll).
  b.approvals.service.poll = async () => {};
  await decideOnA(a, approved.id, 'approve');
  await decideOnA(a, denied.id, 'deny');
  assert.ok(
    b.sessions.liveSessions().some((s) => s.sessionId === approved.sessionId),
    'B still holds the session: it has not read the decision',
  );

  await b.close();
  for (const [record, outcome] of [
    [approved, 'approved'],
    [denied, 'denied'],
  ] as const) {
    const ends = await endsOf(a, record.sessionId);
    assert.equal(ends.length, 1, `${outcome}: ${JSON.stringify(ends)}`);
    assert.equal(ends[0]?.outcome, outcome);
  }
});

test('B shuts down while the request waits, then A decides it: the session keeps its one end', async () => {
  const { a, b } = await startPair();
  const asked = await askOnB(b, 'INC-3');
  await b.close();
  await decideOnA(a, asked.id, 'approve');

  const ends = await endsOf(a, asked.sessionId);
  assert.equal(ends.length, 1, JSON.stringify(ends));
  assert.equal(ends[0]?.reason, 'shutdown');
  // The decision itself stands, and is recorded: the grant follows.
  assert.equal((await a.store.approvals.getApproval(asked.id))?.status, 'approved');
  const grants = (await a.store.approvals.listGrants({ subject: 'bob' })).filter(
    (g) => g.approvalId === asked.id,
  );
  assert.equal(grants.length, 1);
});
