// Two gateway replicas on one PostgreSQL store, two reviewers deciding one access request at the same
// moment, one approving on replica A and one denying on replica B (two reviewers clicking at once).
// The store counts one decision; the ledger must say which: a decision recorded before the store
// refused it must not stand in the ledger as the denial of a request that was approved (and granted),
// or as the approval of one that was denied. Until 6 December it did, in most such races.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ApprovalRecord } from '../../src/core/ports.js';
import { assertLedgerVerifies, type TestGateway, TOKENS } from '../support/gateway.js';
import { accessRequestSettings, closeReplicaPair, postApi, startReplicaPair } from '../support/replicas.js';

let a: TestGateway;
let b: TestGateway;

before(async () => {
  const settings = accessRequestSettings({ approvers: ['group:security', 'group:ai-eng'], required: 1 });
  ({ a, b } = await startReplicaPair(settings));
});
after(async () => {
  await closeReplicaPair(a, b);
});

test('when two reviewers decide at once on two replicas, the ledger says which decision counted', async () => {
  let races = 0;
  for (let i = 0; i < 20 && races < 3; i++) {
    const asked = await postApi(a, TOKENS.bob, '/api/access-requests', {
      connection: 'oa',
      duration: '1h',
      reason: `INC-${i}`,
    });
    assert.equal(asked.status, 201, JSON.stringify(asked.body));
    const id = (asked.body.approval as ApprovalRecord).id;
    const answers = await Promise.all([
      postApi(a, TOKENS.alice, `/api/approvals/${id}/approve`, { reason: 'fine' }),
      postApi(b, TOKENS.audrey, `/api/approvals/${id}/deny`, { reason: 'no ticket' }),
    ]);
    const final = (await a.store.approvals.getApproval(id))!;
    assert.ok(final.status === 'approved' || final.status === 'denied', final.status);
    assert.equal(final.votes.length, 1, 'the store counts one decision');
    const counted = final.votes[0]!.reviewer.subject;
    // The one whose decision did not count was told so.
    const refused = answers.filter((r) => r.status !== 200);
    assert.equal(refused.length, 1, JSON.stringify(answers.map((r) => r.body)));
    assert.equal(refused[0]!.code, 'approval_closed');

    await a.recorder.drain();
    await b.recorder.drain();
    const decided = (await a.store.ledger.readSession(final.sessionId)).filter(
      (e) => e.type === 'approval.decided',
    );
    // A decision recorded before the store refused it is followed by a record that it did not count.
    const superseded = decided.filter((e) => e.payload?.counted === false);
    const notCounted = new Set(superseded.map((e) => e.identity.subject));
    const standing = decided.filter((e) => !notCounted.has(e.identity.subject));
    // What the ledger leaves standing is the decision the store counted, with the real outcome.
    assert.deepEqual(
      standing.map((e) => [e.identity.subject, e.payload?.outcome]),
      [[counted, final.status]],
      JSON.stringify(decided.map((e) => [e.identity.subject, e.payload])),
    );
    for (const e of superseded) assert.equal(e.payload?.outcome, final.status);
    if (decided.length > 1) races += 1;
    // A grant exists exactly when the request was approved.
    const grants = (await a.store.approvals.listGrants({ subject: 'bob' })).filter(
      (g) => g.approvalId === id,
    );
    assert.equal(grants.length, final.status === 'approved' ? 1 : 0);
  }
  assert.ok(races > 0, 'no two decisions raced in 20 tries');
  await assertLedgerVerifies(a);
});
