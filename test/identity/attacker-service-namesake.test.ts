// Attacker: a user whose subject at the identity provider equals the name of a service account
// (`deploy`), or the service account itself. Allow and deny rules already tell the two apart
// (`user:deploy`, `service:deploy`); grants, break-glass and the ownership of sessions, requests and
// grants must too, or each one is admitted by the other's grant and reads the other's recordings.
// Real parts: the gateway (SQLite store), a real PostgreSQL behind it, the pg client, a service
// account token made as `vigil token create --service-account deploy` makes it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import type { SessionSummary } from '../../src/core/events.js';
import type { ApprovalRecord, GrantRecord } from '../../src/core/ports.js';
import { hashToken } from '../../src/identity/config-tokens.js';
import { createServiceToken } from '../../src/identity/service-accounts.js';
import { directClient, type PgFixture, startPgFixture, vigilClient } from '../postgres/pg-gateway.js';
import { issueScimToken, ScimClient, USER_SCHEMA } from '../scim/scim-client.js';
import { apiCall, approvedGrant } from '../support/access-requests.js';
import { TEST_IDENTITIES, TOKENS } from '../support/gateway.js';

/** The user `deploy`, signed in with a token from the configuration. */
const USER_DEPLOY = 'tok-deploy-user-0123456789';
let serviceDeploy: string;
let f: PgFixture;

before(async () => {
  f = await startPgFixture(
    'vigil_namesake',
    { allow: ['user:deploy', 'service:deploy'], requires_grant: true },
    {},
    {
      identity: { scim: { enabled: true } },
      identities: [
        ...TEST_IDENTITIES,
        { name: 'deploy', groups: [], roles: ['user'], token_sha256: hashToken(USER_DEPLOY) },
      ],
      policy: {
        rules: [
          {
            name: 'review-writes',
            match: { statement_kinds: ['UPDATE'] },
            action: 'review',
            review: { approvers: ['group:ai-eng'], timeout: '600s' },
          },
        ],
      },
      approvals: {
        poll: '100ms',
        access_requests: { approvers: ['group:ai-eng'], max_duration: '2h' },
        break_glass: { allowed: ['user:deploy'], reviewers: ['group:ai-eng'] },
      },
    },
  );
  serviceDeploy = (
    await createServiceToken(f.gateway.store.access, {
      name: 'deploy',
      connections: ['pg'],
      ttlMs: 3_600_000,
    })
  ).token;
  const direct = directClient(f);
  await direct.connect();
  await direct.query(
    'create table jobs (id int primary key, done boolean); insert into jobs values (1, false);',
  );
  await direct.end();
});
after(async () => {
  await f?.close();
});

const api = (token: string, method: string, path: string, body?: object) =>
  apiCall(f.gateway.url, token, method, path, body);
/** An access request by `token`, approved by alice; the grant's id. */
const grantTo = (token: string) => approvedGrant(f.gateway, token);

async function connectAs(token: string): Promise<pg.Client> {
  const client = vigilClient(f, token, { database: 'vigil', user: 'deploy' });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

let userGrant: string;

test("the service account deploy is not admitted by the user deploy's grant", async () => {
  userGrant = await grantTo(USER_DEPLOY);
  const user = await connectAs(USER_DEPLOY);
  assert.equal((await user.query('select 1 as one')).rows[0].one, 1, 'the user holds the grant');
  await user.end();
  await assert.rejects(connectAs(serviceDeploy), /needs an access grant/);
});

test("the user deploy's break-glass does not let the service account skip a review", async () => {
  await grantTo(serviceDeploy);
  const glass = await api(USER_DEPLOY, 'POST', '/api/break-glass', {
    connection: 'pg',
    duration: '10m',
    reason: 'incident INC-3',
  });
  assert.equal(glass.status, 201, JSON.stringify(glass.body));
  const service = await connectAs(serviceDeploy);
  const update = service.query('update jobs set done = true where id = 1');
  update.catch(() => undefined);
  // Held for review: the request appears, and alice's denial refuses the statement.
  let held: ApprovalRecord | undefined;
  while (!held) {
    const settled = await Promise.race([update.then(() => 'ran'), new Promise((r) => setTimeout(r, 50))]);
    assert.notEqual(settled, 'ran', 'the UPDATE ran without review under the user deploy break-glass');
    const pending = await f.gateway.store.approvals.listApprovals({ status: 'pending', kind: 'action' });
    held = pending.find((r) => r.requester.kind === 'service' && r.requester.subject === 'deploy');
  }
  const denied = await api(TOKENS.alice, 'POST', `/api/approvals/${held.id}/deny`, { reason: 'no' });
  assert.equal(denied.status, 200, JSON.stringify(denied.body));
  await assert.rejects(update);
  await service.end();
  // Nor does the user deploy read the held action as if they had asked for it.
  const action = await api(USER_DEPLOY, 'GET', `/api/sessions/${held.sessionId}/approvals/${held.id}/action`);
  assert.equal(action.status, 404, JSON.stringify(action.body));
  assert.equal((action.body.error as { code: string }).code, 'approval_unknown');
  const own = await api(serviceDeploy, 'GET', `/api/sessions/${held.sessionId}/approvals/${held.id}/action`);
  assert.equal(own.status, 200, JSON.stringify(own.body));
});

test("the user deploy neither reads nor lists the service account's session", async () => {
  const service = await connectAs(serviceDeploy);
  await service.query('select 2 as two');
  await service.end();
  await f.gateway.recorder.drain();
  const sessions: SessionSummary[] = await f.gateway.store.ledger.listSessions({
    connection: 'pg',
    limit: 100,
  });
  const theirs = sessions.find((s) => s.identity.kind === 'service' && s.identity.subject === 'deploy');
  assert.ok(theirs, 'the service account has a session');
  for (const path of [`/api/sessions/${theirs.id}`, `/api/sessions/${theirs.id}/events`]) {
    const read = await api(USER_DEPLOY, 'GET', path);
    assert.equal(read.status, 404, `${path}: ${JSON.stringify(read.body)}`);
    assert.equal((read.body.error as { code: string }).code, 'session_unknown');
  }
  const listed = await api(USER_DEPLOY, 'GET', '/api/sessions?limit=1000');
  const ids = (listed.body.sessions as SessionSummary[]).map((s) => s.id);
  assert.ok(!ids.includes(theirs.id), 'the session list shows only their own sessions');
  assert.ok(ids.length > 0, 'the user deploy still lists their own sessions');
  // And the other way round: the service account does not read the user's sessions.
  const mine = sessions.find((s) => s.identity.kind === 'user' && s.identity.subject === 'deploy');
  assert.ok(mine);
  const back = await api(serviceDeploy, 'GET', `/api/sessions/${mine.id}`);
  assert.equal(back.status, 404, JSON.stringify(back.body));
});

test('the user deploy neither sees, lists nor revokes what belongs to the service account', async () => {
  const inbox = await api(USER_DEPLOY, 'GET', '/api/approvals?status=all');
  const requesters = (inbox.body.approvals as ApprovalRecord[]).map((r) => r.requester.kind);
  assert.ok(requesters.length > 0, 'the user sees their own requests');
  assert.deepEqual([...new Set(requesters)], ['user'], 'only their own requests');

  const mine = await api(USER_DEPLOY, 'GET', '/api/grants?all=1');
  const listed = mine.body.grants as GrantRecord[];
  assert.ok(listed.length > 0 && listed.every((g) => g.subjectKind === 'user'), JSON.stringify(listed));
  const theirs = await api(serviceDeploy, 'GET', '/api/grants?all=1');
  const serviceGrants = theirs.body.grants as GrantRecord[];
  assert.ok(serviceGrants.length > 0 && serviceGrants.every((g) => g.subjectKind === 'service'));

  const revoke = await api(USER_DEPLOY, 'POST', `/api/grants/${serviceGrants[0]!.id}/revoke`);
  assert.equal(revoke.status, 404, JSON.stringify(revoke.body));
  assert.equal((revoke.body.error as { code: string }).code, 'grant_unknown');
  const back = await api(serviceDeploy, 'POST', `/api/grants/${userGrant}/revoke`);
  assert.equal((back.body.error as { code: string }).code, 'grant_unknown');
  assert.equal((await f.gateway.store.approvals.getGrant(userGrant))?.revokedAt, null);
});

// Last: it disables the user deploy.
test("deprovisioning the SCIM user deploy revokes the user's grants, not the service account's", async () => {
  const scim = new ScimClient(f.gateway, await issueScimToken(f.gateway, 'okta'));
  const user = await scim.post('/Users', { schemas: [USER_SCHEMA], userName: 'deploy', active: true });
  assert.equal(user.status, 201, JSON.stringify(user.body));
  assert.equal((await scim.delete(`/Users/${String(user.body.id)}`)).status, 204);
  const active = await f.gateway.store.approvals.listGrants({
    subject: 'deploy',
    activeAt: new Date().toISOString(),
  });
  assert.deepEqual(
    active.map((g) => g.subjectKind),
    ['service'],
    "the service account's grant stands, the user's are revoked",
  );
});
