// Attacker: a two-person rule completed with the vote of someone an admin has just offboarded.
// `vigil users disable` (or POST /api/users/:subject/disable) refuses the person's tokens and cuts
// their sessions, but an approval they gave to a request that still waited for a second one kept
// counting: the next reviewer's approval released the action (here, granted database access) on
// the strength of a vote from someone no longer allowed to act. SCIM deprovisioning already withdrew
// such a request; disabling through the CLI or the API did not. The same held for the offboarded
// person's own access request, which a reviewer could still approve into a grant that waits, dormant,
// for the day the identity is enabled again. A request now closes as withdrawn when an approval it
// counts, or its requester, belongs to a disabled identity, and the deciding reviewer is told so.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ApprovalRecord } from '../../src/core/ports.js';
import { hashToken } from '../../src/identity/config-tokens.js';
import { apiCall } from '../support/access-requests.js';
import {
  openSharedStore,
  startTestGateway,
  TEST_IDENTITIES,
  type TestGateway,
  TOKENS,
} from '../support/gateway.js';
import { createScratchDatabase, startTestPostgres, type TestPostgres } from '../support/postgres-server.js';

const CAROL = 'tok-carol-0123456789';
let server: TestPostgres;
let gateway: TestGateway;

before(async () => {
  server = await startTestPostgres();
  const upstream = await createScratchDatabase(server, 'vigil_night_disabled_reviewer');
  if (server.password) process.env.VIGIL_TEST_PG_PASSWORD = server.password;
  gateway = await startTestGateway({
    identities: [
      ...TEST_IDENTITIES,
      { name: 'carol', groups: ['dba'], roles: ['user'], token_sha256: hashToken(CAROL) },
    ],
    connections: [
      {
        name: 'pg',
        type: 'postgres',
        listen: '127.0.0.1:0',
        upstream,
        ...(server.password ? { credential: 'env:VIGIL_TEST_PG_PASSWORD' } : {}),
        requires_grant: true,
        allow: ['group:contractors', 'group:dba'],
      },
    ],
    approvals: {
      poll: '100ms',
      access_requests: {
        approvers: ['user:alice', 'user:audrey', 'user:carol'],
        required: 2,
        max_duration: '2h',
      },
    },
  });
});
after(async () => {
  await gateway?.close();
  await server?.close();
});

const decide = (token: string, id: string) =>
  apiCall(gateway.url, token, 'POST', `/api/approvals/${id}/approve`, { reason: 'looked at it' });

async function askAccess(token: string): Promise<string> {
  const asked = await apiCall(gateway.url, token, 'POST', '/api/access-requests', {
    connection: 'pg',
    duration: '1h',
    reason: 'release 42',
  });
  assert.equal(asked.status, 201, JSON.stringify(asked.body));
  return (asked.body.approval as ApprovalRecord).id;
}

/** The grants an access request became. */
async function grantsFrom(approvalId: string) {
  const all = await gateway.store.approvals.listGrants({ activeAt: new Date().toISOString() });
  return all.filter((g) => g.approvalId === approvalId);
}

test('an approval from a reviewer disabled since does not count towards a two-person rule', async () => {
  const id = await askAccess(TOKENS.bob);
  const first = await decide(TOKENS.audrey, id);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal((await gateway.store.approvals.getApproval(id))?.status, 'pending');

  // The admin offboards audrey (the CLI writes the same store; the API is the same change).
  const disabled = await apiCall(gateway.url, TOKENS.alice, 'POST', '/api/users/audrey/disable', {
    reason: 'left the company',
  });
  assert.equal(disabled.status, 200, JSON.stringify(disabled.body));

  try {
    const second = await decide(TOKENS.alice, id);
    assert.notEqual(second.status, 200, `the second approval completed it: ${JSON.stringify(second.body)}`);
    assert.equal((second.body.error as { code?: string } | undefined)?.code, 'approval_closed');
    assert.equal((await gateway.store.approvals.getApproval(id))?.status, 'withdrawn');
    assert.deepEqual(await grantsFrom(id), []);
  } finally {
    await apiCall(gateway.url, TOKENS.alice, 'POST', '/api/users/audrey/enable', {});
  }

  // Enabled again, audrey decides like anyone else; a fresh request with two live votes grants.
  const again = await askAccess(TOKENS.bob);
  assert.equal((await decide(TOKENS.audrey, again)).status, 200);
  const done = await decide(TOKENS.alice, again);
  assert.equal(done.status, 200, JSON.stringify(done.body));
  assert.equal((await gateway.store.approvals.getApproval(again))?.status, 'approved');
  assert.equal((await grantsFrom(again)).length, 1);
});

test('the access request of someone disabled since cannot be approved into a grant', async () => {
  const id = await askAccess(CAROL);
  const disabled = await apiCall(gateway.url, TOKENS.alice, 'POST', '/api/users/carol/disable', {
    reason: 'contract ended',
  });
  assert.equal(disabled.status, 200, JSON.stringify(disabled.body));

  const first = await decide(TOKENS.audrey, id);
  assert.notEqual(first.status, 200, JSON.stringify(first.body));
  assert.equal((first.body.error as { code?: string } | undefined)?.code, 'approval_closed');
  assert.equal((await gateway.store.approvals.getApproval(id))?.status, 'withdrawn');
  assert.equal((await decide(TOKENS.alice, id)).status, 409);
  assert.deepEqual(await grantsFrom(id), []);
});

test('disabled by `vigil users disable` (the shared store, no gateway told): the vote lapses at once', async () => {
  const id = await askAccess(TOKENS.bob);
  assert.equal((await decide(TOKENS.alice, id)).status, 200);
  // What the CLI does: a write to the shared store from another process; the next approval comes
  // before this gateway's revocation poll has read it.
  const cli = await openSharedStore(gateway);
  try {
    await cli.access.disableIdentity('Alice', new Date().toISOString(), 'left the company');
    const second = await decide(TOKENS.audrey, id);
    assert.equal((second.body.error as { code?: string } | undefined)?.code, 'approval_closed');
    assert.equal((await gateway.store.approvals.getApproval(id))?.status, 'withdrawn');
    assert.deepEqual(await grantsFrom(id), []);
  } finally {
    await cli.access.enableIdentity('Alice');
    await cli.close();
  }
});
