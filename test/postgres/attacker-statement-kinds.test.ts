// Statements the parser names otherwise, as a way around `deny_statements` and the strict preset:
// DROP DATABASE, DROP ROLE and DROP OWNED (every object a role owns) were kinds of their own
// (DROPDB, DROPROLE, DROPOWNED), which `[DROP]` did not hold, and `ALTER GROUP g ADD USER u` and
// `CREATE ROLE r IN ROLE g` grant a role as `GRANT g TO u` does, under ALTER and CREATE. Through the
// gateway, against the real server: each must be refused, and what it names must be as it was.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createScratchDatabase } from '../support/postgres-server.js';
import { type PgFixture, startPgFixture } from './pg-gateway.js';
import { truthfulRecordHelpers } from './truthful-record-fixture.js';

let f: PgFixture;

// Roles are the cluster's, not the scratch database's: names of this file's own.
const VICTIM_DB = 'vigil_attacker_statement_kinds_victim';
const OWNER = 'vigil_attacker_statement_kinds_owner';
const ROLE = 'vigil_attacker_statement_kinds_role';
const ADMINS = 'vigil_attacker_statement_kinds_admins';
const NEW_ROLE = 'vigil_attacker_statement_kinds_new';
const ROLES = [OWNER, ROLE, ADMINS, NEW_ROLE];

before(async () => {
  f = await startPgFixture('vigil_attacker_statement_kinds', {
    guardrails: { deny_statements: ['DROP', 'GRANT'] },
  });
  await createScratchDatabase(f.server, VICTIM_DB);
});
after(async () => {
  // One statement at a time: DROP DATABASE cannot run in the transaction a multi-statement text is.
  await direct(async (c) => {
    for (const sql of [
      'drop table if exists owned_table',
      ...ROLES.map((r) => `drop role if exists ${r}`),
      `drop database if exists ${VICTIM_DB}`,
    ])
      await c.query(sql).catch(() => undefined);
  });
  await f.close();
});

const { direct, login } = truthfulRecordHelpers(() => f);

test('DROP DATABASE, DROP ROLE and DROP OWNED are DROPs; role memberships are GRANTs', async () => {
  await direct(async (c) => {
    await c.query(
      `drop table if exists owned_table; ${ROLES.map((r) => `drop role if exists ${r}; `).join('')}`,
    );
    await c.query(
      `create role ${OWNER}; create role ${ROLE}; create role ${ADMINS}; create table owned_table (id int)`,
    );
    await c.query(`alter table owned_table owner to ${OWNER}`);
  });
  const c = await login('alice', 'attacker-statement-kinds');
  assert.ok(c.loggedIn, c.login.codes);
  // Every statement that got past deny_statements, so that a failure names them all.
  const passed: string[] = [];
  for (const [sql, rule] of [
    [`DROP DATABASE ${VICTIM_DB}`, 'DROP'],
    [`DROP ROLE ${ROLE}`, 'DROP'],
    [`DROP OWNED BY ${OWNER}`, 'DROP'],
    [`ALTER GROUP ${ADMINS} ADD USER ${ROLE}`, 'GRANT'],
    [`CREATE ROLE ${NEW_ROLE} IN ROLE ${ADMINS}`, 'GRANT'],
  ] as const) {
    const reply = await c.query(sql);
    if (!new RegExp(`denied by rule deny_statements:${rule}`).test(reply.errors[0]?.message ?? ''))
      passed.push(sql);
  }
  c.end();
  assert.deepEqual(passed, []);
  const count = async (sql: string, params: unknown[]): Promise<number> =>
    direct(async (d) => (await d.query(sql, params)).rows[0].n as number);
  assert.deepEqual(
    {
      database: await count('select count(*)::int as n from pg_database where datname = $1', [VICTIM_DB]),
      roles: await count('select count(*)::int as n from pg_roles where rolname = any($1)', [ROLES]),
      members: await count(
        'select count(*)::int as n from pg_auth_members m join pg_roles r on r.oid = m.roleid where r.rolname = $1',
        [ADMINS],
      ),
      table: await count("select count(*)::int as n from pg_tables where tablename = 'owned_table'", []),
    },
    { database: 1, roles: 3, members: 0, table: 1 },
  );
});
