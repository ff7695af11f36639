// One gateway on its SQLite store: bob asks for access, the gateway restarts (its shutdown ends the
// request's session, as it ends every live session), and a reviewer decides the request on the
// restarted gateway. The decision and its grant stand, and the session keeps its one end: the
// restarted gateway finds it ended in the store. Until 7 December it recorded the end all the same,
// a second session.end in a session the ledger had closed.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type { ApprovalRecord } from '../../src/core/ports.js';
import { sessionEvents, startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { accessRequestSettings, postApi } from '../support/replicas.js';

let gateway: TestGateway | undefined;

afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

test('an access request decided after its gateway restarted: its session ends once', async () => {
  const settings = accessRequestSettings({ approvers: ['group:security'], required: 1 });
  const first = await startTestGateway(settings);
  gateway = first;
  const asked = await postApi(first, TOKENS.bob, '/api/access-requests', {
    connection: 'oa',
    duration: '1h',
    reason: 'INC-21',
  });
  assert.equal(asked.status, 201, JSON.stringify(asked.body));
  const record = asked.body.approval as ApprovalRecord;
  await first.close();

  const restarted = await startTestGateway(settings, first.dataDir);
  gateway = restarted;
  const decided = await postApi(restarted, TOKENS.audrey, `/api/approvals/${record.id}/approve`, {
    reason: 'INC-21',
  });
  assert.equal(decided.status, 200, JSON.stringify(decided.body));

  const grants = (await restarted.store.approvals.listGrants({ subject: 'bob' })).filter(
    (g) => g.approvalId === record.id,
  );
  assert.equal(grants.length, 1, 'the approval gives its grant');
  const ends = (await sessionEvents(restarted))
    .filter((e) => e.sessionId === record.sessionId && e.type === 'session.end')
    .map((e) => e.payload);
  assert.equal(ends.length, 1, JSON.stringify(ends));
  assert.equal(ends[0]?.reason, 'shutdown');
});
