// Two gateway replicas on one PostgreSQL store, and offboarding written to the store by another
// process (`vigil users disable`, or another replica's SCIM endpoint), which neither replica served.
// Each replica reads the change at the store's notice (or its next revocation poll) and, besides
// cutting sessions, withdraws the pending requests it leaves unable to complete: those of a disabled
// requester and those counting an approval from a disabled reviewer or one SCIM took out of their
// approvers. Both replicas read it at once; the withdrawal of each request is recorded once. Until
// 7 December only the process that served the change withdrew anything (a SCIM endpoint), so such
// requests stayed pending in every reviewer's queue until the next vote or their deadline.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ApprovalRecord, ApprovalStatus } from '../../src/core/ports.js';
import {
  assertLedgerVerifies,
  openSharedStore,
  recordedEvents,
  type TestGateway,
  TOKENS,
} from '../support/gateway.js';
import { closeReplicaPair, postApi, startScimReviewPair } from '../support/replicas.js';
import { reviewerInNewGroup } from './scim-reviewers.js';

let a: TestGateway;
let b: TestGateway;

before(async () => {
  ({ a, b } = await startScimReviewPair());
});
after(async () => {
  await closeReplicaPair(a, b);
});

async function ask(token: string, reason: string): Promise<string> {
  const asked = await postApi(a, token, '/api/access-requests', { connection: 'oa', duration: '1h', reason });
  assert.equal(asked.status, 201, JSON.stringify(asked.body));
  return (asked.body.approval as ApprovalRecord).id;
}

async function approveOnB(token: string, id: string): Promise<void> {
  const voted = await postApi(b, token, `/api/approvals/${id}/approve`, { reason: 'fine' });
  assert.equal(voted.status, 200, JSON.stringify(voted.body));
  assert.equal((voted.body.approval as ApprovalRecord).status, 'pending');
}

/** Waits (at most 3 s: a notice, or a few revocation polls) until each request has this status. */
async function until(ids: readonly string[], status: ApprovalStatus): Promise<void> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const now = await a.store.approvals.approvalStatuses(ids);
    if (ids.every((id) => now.get(id) === status)) return;
    if (Date.now() > deadline) assert.fail(`still ${JSON.stringify(Object.fromEntries(now))}, not ${status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Each request's withdrawal, as recorded by Vigil across both replicas: exactly one each. */
async function assertWithdrawnOnce(ids: readonly string[], because: RegExp): Promise<void> {
  await a.recorder.drain();
  await b.recorder.drain();
  const closes = (await recordedEvents(a, 'approval.decided')).filter(
    (e) => e.identity.subject === 'vigil' && ids.includes(String(e.payload?.approval_id)),
  );
  for (const id of ids) {
    const mine = closes.filter((e) => e.payload?.approval_id === id);
    assert.equal(mine.length, 1, `${id}: ${JSON.stringify(mine.map((e) => e.payload))}`);
    assert.equal(mine[0]!.payload?.outcome, 'withdrawn');
    assert.match(String(mine[0]!.payload?.reason), because);
  }
}

test('a reviewer disabled by another process: every request counting their approval is withdrawn, once', async () => {
  const ids = [
    await ask(TOKENS.bob, 'INC-1'),
    await ask(TOKENS.bob, 'INC-2'),
    await ask(TOKENS.bob, 'INC-3'),
  ];
  for (const id of ids) await approveOnB(TOKENS.audrey, id);

  const cli = await openSharedStore(a);
  await cli.access.disableIdentity('audrey', new Date().toISOString(), 'left the company');
  await cli.close();

  await until(ids, 'withdrawn');
  await assertWithdrawnOnce(ids, /approval came from audrey, who was disabled/);
  // alice cannot complete one with audrey's approval.
  const late = await postApi(a, TOKENS.alice, `/api/approvals/${ids[0]}/approve`, { reason: 'ok' });
  assert.equal(late.code, 'approval_closed');
});

test('a requester disabled by another process: their pending request is withdrawn, once', async () => {
  const id = await ask(TOKENS.bob, 'INC-4');
  const cli = await openSharedStore(a);
  try {
    await cli.access.disableIdentity('bob', new Date().toISOString(), 'contract ended');
    await until([id], 'withdrawn');
    await assertWithdrawnOnce([id], /requester bob was disabled/);
  } finally {
    await cli.access.enableIdentity('bob');
    await cli.close();
  }
});

test('a reviewer taken out of the approver group by another SCIM endpoint: the request counting them is withdrawn', async () => {
  const { token } = await reviewerInNewGroup(a, 'okta', 'security', 'max@example.com');
  const id = await ask(TOKENS.bob, 'INC-5');
  await approveOnB(token, id);

  // Another replica's SCIM endpoint (here: its store handle) takes max out of the group.
  const other = await openSharedStore(a);
  const stored = (await other.access.listScimGroups()).find((g) => g.displayName === 'security')!;
  await other.access.putScimGroup({ ...stored, members: [], version: stored.version + 1 });
  await other.close();

  await until([id], 'withdrawn');
  await assertWithdrawnOnce([id], /, no longer among its approvers/);
  await assertLedgerVerifies(a);
});
