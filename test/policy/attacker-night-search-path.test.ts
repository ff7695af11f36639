// Attacker: a reviewer approves `DELETE FROM accounts WHERE id = 1`, reading it as the harmless
// scratch table, while the requester's session had `SET search_path = billing` (or SET ROLE) a
// statement earlier. The held action showed only the statement: PostgreSQL does not report
// search_path or the role to clients, a reviewer who is neither admin nor auditor may not read the
// requester's session, and a function or a role's default may have changed them without any
// statement saying so. The held action now carries what the server itself answers, on the
// connection the statement will run on, just before it is held: `server_session` with the
// search_path, the schemas it resolves to, the role in effect, the session user and the database.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import type { ApprovalRecord } from '../../src/core/ports.js';
import { type PgFixture, queryDirect, startPgFixture, vigilClient } from '../postgres/pg-gateway.js';
import { apiCall } from '../support/access-requests.js';
import { TOKENS } from '../support/gateway.js';

let f: PgFixture;

before(async () => {
  f = await startPgFixture(
    'vigil_night_search_path',
    {},
    {},
    {
      policy: {
        rules: [
          {
            name: 'review-deletes',
            match: { connections: ['pg'], statement_kinds: ['DELETE'] },
            action: 'review',
            review: { approvers: ['group:security'], timeout: '120s' },
          },
        ],
      },
      approvals: { poll: '100ms' },
    },
  );
  await queryDirect(
    f,
    'create schema scratch; create schema billing;' +
      'create table scratch.accounts (id int primary key); insert into scratch.accounts values (1), (2);' +
      'create table billing.accounts (id int primary key); insert into billing.accounts values (1), (2);' +
      // The role the requester turns to must see the schema, or the server fails the statement's Parse.
      'grant usage on schema scratch to pg_monitor;',
  );
});
after(() => f.close());

async function pending(what: RegExp): Promise<ApprovalRecord> {
  for (let i = 0; i < 200; i++) {
    const list = await f.gateway.store.approvals.listApprovals({ status: 'pending' });
    const found = list.find((r) => what.test(String(r.subject.summary)));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no pending request matching ${what}`);
}

/** The held action as the console's card and `vigil approvals show` read it, as the reviewer. */
async function heldAction(held: ApprovalRecord): Promise<Record<string, unknown>> {
  const res = await apiCall(
    f.gateway.url,
    TOKENS.audrey,
    'GET',
    `/api/sessions/${held.sessionId}/approvals/${held.id}/action`,
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.action as Record<string, unknown>;
}

const decide = (id: string, decision: 'approve' | 'deny') =>
  apiCall(f.gateway.url, TOKENS.audrey, 'POST', `/api/approvals/${id}/${decision}`, { reason: 'read it' });

async function ids(schema: string): Promise<number[]> {
  const rows = await queryDirect<{ id: number }>(f, `select id from ${schema}.accounts order by id`);
  return rows.map((r) => r.id);
}

async function connected(): Promise<pg.Client> {
  const client = vigilClient(f);
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

test('a held simple-protocol DELETE shows the search_path the server will resolve it on', async () => {
  const client = await connected();
  try {
    await client.query('SET search_path = billing');
    const running = client.query('DELETE FROM accounts WHERE id = 1');
    const held = await pending(/DELETE FROM accounts WHERE id = 1/);
    const action = await heldAction(held);
    const session = action.server_session as Record<string, unknown> | undefined;
    assert.ok(session, `the held action says nothing of the session: ${JSON.stringify(action)}`);
    assert.equal(session.search_path, 'billing');
    assert.match(String(session.schemas), /\bbilling\b/);
    assert.doesNotMatch(String(session.schemas), /\bscratch\b/);
    assert.equal(typeof session.database, 'string');

    // The question took nothing from the statement's own answer: approved, it runs where shown.
    assert.equal((await decide(held.id, 'approve')).status, 200);
    assert.equal((await running).rowCount, 1);
    assert.deepEqual(await ids('billing'), [2]);
    assert.deepEqual(await ids('scratch'), [1, 2]);
    // And the connection goes on as before.
    assert.equal((await client.query('select 41 + 1 as n')).rows[0].n, 42);
  } finally {
    await client.end();
  }
});

test('a held extended-protocol DELETE in a transaction shows the role SET ROLE put in effect', async () => {
  const client = await connected();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL search_path = scratch, public');
    await client.query('SET LOCAL ROLE pg_monitor');
    // Parameters: node-postgres sends Parse, Bind, Describe, Execute and Sync at once, so the
    // Execute is held with its batch's Parse and Bind already forwarded.
    const running = client.query('DELETE FROM accounts WHERE id = $1', [2]).then(
      () => 'ran',
      (e: Error) => e.message,
    );
    const held = await pending(/DELETE FROM accounts WHERE id = \$1/);
    const session = (await heldAction(held)).server_session as Record<string, unknown> | undefined;
    assert.ok(
      session,
      `the held action says nothing of the session: ${JSON.stringify(await heldAction(held))}`,
    );
    assert.equal(session.search_path, 'scratch, public');
    assert.equal(session.current_user, 'pg_monitor');
    assert.notEqual(session.session_user, 'pg_monitor');

    assert.equal((await decide(held.id, 'deny')).status, 200);
    assert.match(await running, /denied/);
    await client.query('ROLLBACK');
    assert.deepEqual(await ids('scratch'), [1, 2]);
    assert.equal((await client.query('select current_user as u')).rows[0].u, session.session_user);
  } finally {
    await client.end();
  }
});
