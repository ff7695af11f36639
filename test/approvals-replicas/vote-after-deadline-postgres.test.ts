// Two gateway replicas on one PostgreSQL store: a model request held for review on replica A, whose
// review times out after a few seconds, and an approval given on replica B just before the deadline
// that reaches the store only after it (another transaction holds the request's row, as a replica
// busy with it would). Until 7 December the store counted that approval: its vote was stamped when
// B read the request, the store never looked at the deadline, and A, whose expiry queued behind the
// vote, found the request approved and released the held prompt after its deadline. The store now
// refuses a vote at or after the deadline, inside the vote's lock (ApprovalStore.addVote), and the
// request ends as expired: the model never sees the prompt.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { assertLedgerVerifies, type TestGateway, TOKENS } from '../support/gateway.js';
import { closeReplicaPair, postApi, startReplicaPair } from '../support/replicas.js';
import { holdPrompt, reviewedPrompts, sleep } from './late-vote-fixture.js';

let model: DemoModel;
let a: TestGateway;
let b: TestGateway;

before(async () => {
  model = await startDemoModel({ host: '127.0.0.1', port: 0 });
  ({ a, b } = await startReplicaPair({
    ...reviewedPrompts(model.url),
  }));
});
after(async () => {
  await closeReplicaPair(a, b);
  await model?.close();
});

test('an approval that reaches the store after the deadline is refused, and the held prompt never runs', async () => {
  const { answer, held } = await holdPrompt(a);
  const deadline = Date.parse(held.expiresAt);

  // Another transaction holds the request's row across the deadline.
  const locker = new pg.Client({ connectionString: a.postgresStore!.url });
  await locker.connect();
  try {
    await locker.query('BEGIN');
    await locker.query(`SELECT 1 FROM "${a.postgresStore!.schema}".approvals WHERE id = $1 FOR UPDATE`, [
      held.id,
    ]);
    const approved = postApi(b, TOKENS.audrey, `/api/approvals/${held.id}/approve`, { reason: 'looks fine' });
    // B read the request as open, recorded the decision and now waits for the row: before the deadline.
    let waiting = false;
    while (!waiting && Date.now() < deadline - 300) {
      const { rows } = await locker.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      waiting = (rows[0] as { n: number }).n > 0;
      if (!waiting) await sleep(50);
    }
    assert.ok(waiting, 'the approval did not reach the store before the deadline');
    await sleep(deadline - Date.now() + 800);
    await locker.query('COMMIT');

    const result = await answer;
    assert.deepEqual(
      result,
      { ok: false, code: 'approval_timeout' },
      'the prompt was released after its deadline',
    );
    assert.equal(model.requests.filter((r) => JSON.stringify(r).includes('late approval')).length, 0);
    const refused = await approved;
    assert.equal(refused.code, 'approval_closed', JSON.stringify(refused.body));
    const stored = await a.store.approvals.getApproval(held.id);
    assert.equal(stored?.status, 'expired');
    assert.deepEqual(stored?.votes, [], 'the late approval is not stored');
    assert.equal(a.approvals.service.holding, 0);
  } finally {
    await locker.end();
  }
  await assertLedgerVerifies(a);
});
