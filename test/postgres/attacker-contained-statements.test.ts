// Statements that run inside another: `CREATE SCHEMA s GRANT SELECT ON public.payroll TO r` grants
// on a table outside the new schema, and `CREATE SCHEMA s CREATE VIEW v AS SELECT * FROM payroll`
// keeps a query over payroll for a later `SELECT * FROM s.v`; `ALTER DEFAULT PRIVILEGES GRANT ...`
// is a GRANT on every object the role makes later. Until 7 December each was judged as the CREATE
// or ALTER around it only, so `deny_statements: [GRANT]` and a rule on reading payroll did not see
// them. Through the gateway, against the real server.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { NO_PAYROLL_READS } from './payroll-read-rule.js';
import { type PgFixture, startPgFixture } from './pg-gateway.js';
import { truthfulRecordHelpers } from './truthful-record-fixture.js';

let f: PgFixture;
/** Roles belong to the cluster, not the scratch database: one of this file's own, dropped after. */
const ROLE = 'vigil_attacker_contained_reader';

before(async () => {
  f = await startPgFixture(
    'vigil_attacker_contained',
    { guardrails: { deny_statements: ['GRANT'] } },
    {},
    NO_PAYROLL_READS,
  );
});
after(async () => {
  await dropRole();
  await f?.close();
});

const { direct, login } = truthfulRecordHelpers(() => f);

const dropRole = () =>
  direct(async (d) => {
    await d.query('drop schema if exists leak_grant, leak_view, fine cascade');
    await d.query(`drop owned by ${ROLE}`).catch(() => undefined);
    await d.query(`drop role if exists ${ROLE}`);
  });

test('a GRANT or a view inside CREATE SCHEMA, and ALTER DEFAULT PRIVILEGES, are judged as what they are', async () => {
  await dropRole();
  await direct((d) =>
    d.query(
      `create role ${ROLE}; drop table if exists payroll; create table payroll (id int, salary text); ` +
        "insert into payroll values (1, 'secret-salary')",
    ),
  );
  const c = await login('alice', 'attacker-contained');
  assert.ok(c.loggedIn, c.login.codes);
  for (const [sql, rule] of [
    [`CREATE SCHEMA leak_grant GRANT SELECT ON public.payroll TO ${ROLE}`, /deny_statements:GRANT/],
    [`ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO ${ROLE}`, /deny_statements:GRANT/],
    ['CREATE SCHEMA leak_view CREATE VIEW v AS SELECT * FROM public.payroll', /no-payroll-reads/],
  ] as const) {
    const reply = await c.query(sql);
    assert.match(reply.errors[0]?.message ?? '', rule, sql);
  }
  const view = await c.query('SELECT * FROM leak_view.v');
  assert.ok(!JSON.stringify(view.rows).includes('secret-salary'), 'the view returned the salary');
  // A schema made with tables of its own is still a CREATE like any other.
  const fine = await c.query('CREATE SCHEMA fine CREATE TABLE t (x int) CREATE VIEW w AS SELECT x FROM t');
  assert.deepEqual(fine.errors, []);
  c.end();

  const state = await direct(async (d) => ({
    granted: (await d.query(`select has_table_privilege('${ROLE}', 'public.payroll', 'select') as g`)).rows[0]
      .g,
    defaults: (await d.query('select count(*)::int as n from pg_default_acl')).rows[0].n,
    schemas: (
      await d.query("select nspname from pg_namespace where nspname in ('leak_grant', 'leak_view', 'fine')")
    ).rows.map((r) => r.nspname),
  }));
  assert.deepEqual(state, { granted: false, defaults: 0, schemas: ['fine'] });
});
