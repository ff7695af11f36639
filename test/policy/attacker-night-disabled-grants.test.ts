// Attacker: access approved for a past task comes back with a re-enabled identity. `vigil users
// disable` refused a contractor's tokens and cut their sessions, but left their grants standing:
// useless while the identity was disabled, they admitted it again the moment an admin enabled it
// for another reason inside the grant's window, so production access approved before the
// offboarding returned without anyone approving it again. SCIM deprovisioning already revoked such
// grants; disabling now does too, each revocation recorded as access.revoked, so enabling the
// identity again brings back its tokens and nothing they were granted.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { StoredEvent } from '../../src/core/events.js';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { apiCall, approvedGrant } from '../support/access-requests.js';
import { runCli } from '../support/cli.js';
import { assertLedgerVerifies, startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';

let model: DemoModel;
let gateway: TestGateway;

before(async () => {
  model = await startDemoModel({ host: '127.0.0.1', port: 0, respond: () => ({ text: 'ok' }) });
  gateway = await startTestGateway({
    connections: [
      {
        name: 'prod',
        type: 'llm-openai',
        upstream: model.url,
        requires_grant: true,
        allow: ['group:contractors'],
      },
    ],
    approvals: { poll: '100ms', access_requests: { approvers: ['user:alice'], max_duration: '2h' } },
  });
});

after(async () => {
  await gateway?.close();
  await model?.close();
});

/** One call on the grant-only connection as `token`: its status and Vigil's error code, if any. */
async function callProd(token: string): Promise<{ status: number; error: string | null }> {
  const res = await fetch(`${gateway.url}/c/prod/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'deploy' }] }),
  });
  await res.arrayBuffer();
  return { status: res.status, error: res.headers.get('x-vigil-error') };
}

/** The first call the gateway answers after it has read the re-enable (its revocation poll). */
async function callOnceEnabled(token: string): Promise<{ status: number; error: string | null }> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const outcome = await callProd(token);
    if (outcome.error !== 'auth_revoked') return outcome;
    if (Date.now() > deadline) throw new Error('the gateway never saw the identity enabled again');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function revocationsOf(grantId: string): Promise<StoredEvent[]> {
  await gateway.recorder.drain();
  const sessions = await gateway.store.ledger.listSessions({});
  const events = (await Promise.all(sessions.map((s) => gateway.store.ledger.readSession(s.id)))).flat();
  return events.filter((e) => e.type === 'access.revoked' && e.payload?.grant_id === grantId);
}

test('a grant does not outlive `vigil users disable`: enabled again, the contractor has no access', async () => {
  const grantId = await approvedGrant(gateway, TOKENS.bob, 'prod');
  assert.equal((await callProd(TOKENS.bob)).status, 200, 'the grant admits bob');

  const data = ['--data', gateway.dataDir];
  const disabled = await runCli([...data, 'users', 'disable', 'bob', '--reason', 'contract ended']);
  assert.equal(disabled.code, 0, disabled.stderr);
  // The next day, bob is enabled again for something else (a read-only audit, say).
  const enabled = await runCli([...data, 'users', 'enable', 'bob']);
  assert.equal(enabled.code, 0, enabled.stderr);

  const after = await callOnceEnabled(TOKENS.bob);
  assert.equal(after.error, 'forbidden_connection', `the old grant admitted bob again: ${after.status}`);
  assert.equal(after.status, 403);

  const grant = await gateway.store.approvals.getGrant(grantId);
  assert.notEqual(grant?.revokedAt, null, 'the grant is revoked in the store');
  assert.match(grant?.revokedBy ?? '', /^local:/, 'revoked by the operator who ran the CLI');
  const [revoked] = await revocationsOf(grantId);
  assert.equal(revoked?.payload?.reason, 'grant-revoked');
  assert.equal(revoked?.payload?.subject, 'bob');
  assert.match(String(revoked?.payload?.detail), /contract ended/);
  await assertLedgerVerifies(gateway);
});

test('a grant does not outlive POST /api/users/:subject/disable', async () => {
  const grantId = await approvedGrant(gateway, TOKENS.bob, 'prod');
  assert.equal((await callProd(TOKENS.bob)).status, 200);
  const disabled = await apiCall(gateway.url, TOKENS.alice, 'POST', '/api/users/Bob/disable', {
    reason: 'contract ended',
  });
  assert.equal(disabled.status, 200, JSON.stringify(disabled.body));
  const enabled = await apiCall(gateway.url, TOKENS.alice, 'POST', '/api/users/Bob/enable', {});
  assert.equal(enabled.status, 200, JSON.stringify(enabled.body));

  const after = await callOnceEnabled(TOKENS.bob);
  assert.equal(after.error, 'forbidden_connection', `the old grant admitted bob again: ${after.status}`);
  const grant = await gateway.store.approvals.getGrant(grantId);
  assert.equal(grant?.revokedBy, 'alice');
  const [revoked] = await revocationsOf(grantId);
  assert.equal(revoked?.payload?.reason, 'grant-revoked');
});
