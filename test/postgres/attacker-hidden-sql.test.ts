// Attacks that hide what a statement does from the facts a guard judges, through the gateway
// against the real server: SQL run from a function's text argument (query_to_xml, ts_stat), and
// tables named where Vigil did not look (a CTE of the same name in another scope, a CTE's own
// body, the target of a write, CREATE POLICY, CREATE VIEW). Each test checks the server directly.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type PgFixture, startPgFixture } from './pg-gateway.js';
import type { RawPgClient, Reply } from './raw-client.js';
import { truthfulRecordHelpers } from './truthful-record-fixture.js';

let f: PgFixture;

before(async () => {
  f = await startPgFixture(
    'vigil_attacker_hidden_sql',
    { guardrails: { preset: 'strict' } },
    {},
    {
      policy: {
        rules: [
          {
            name: 'no-payroll',
            match: { connections: ['pg'], tables: ['payroll', 'payroll_view'] },
            action: 'deny',
          },
        ],
      },
    },
  );
  await direct((d) =>
    d.query(
      `drop view if exists payroll_view; drop table if exists payroll;
       create table payroll (name text, salary int); insert into payroll values ('ceo', 900000);
       create view payroll_view as select name from payroll`,
    ),
  );
});
after(() => f.close());

const { direct, login } = truthfulRecordHelpers(() => f);

async function refusedBy(c: RawPgClient, sql: string, rule: string): Promise<void> {
  const reply: Reply = await c.query(sql);
  assert.deepEqual(
    reply.errors.map((e) => e.sqlstate),
    ['42501'],
    `${sql}: ${JSON.stringify(reply.errors)} rows ${JSON.stringify(reply.rows)}`,
  );
  assert.match(reply.errors[0]?.message ?? '', new RegExp(`denied by rule ${rule}`), sql);
}

async function currentUser(c: RawPgClient): Promise<string | null | undefined> {
  const reply = await c.query('SELECT current_user');
  assert.deepEqual(reply.errors, []);
  return reply.rows[0]?.[0];
}

test('strict judges the SQL that query_to_xml, ts_stat and ts_rewrite run from their text argument', async () => {
  const c = await login('alice', 'attacker-dynamic-sql');
  assert.ok(c.loggedIn, c.login.codes);
  const user = await currentUser(c);
  const cases: [string, string][] = [
    // Each would run what strict refuses when written plainly: SET ROLE, a server file read.
    [
      "SELECT query_to_xml('SELECT set_config(''role'', ''pg_monitor'', false)', true, true, '')",
      'strict:set_role',
    ],
    [
      "SELECT pg_catalog.query_to_xml(query => 'select set_config(''role'', ''pg_monitor'', false)', nulls => true, tableforest => true, targetns => '')",
      'strict:set_role',
    ],
    [
      "SELECT * FROM ts_stat('SELECT to_tsvector(pg_read_file(''/etc/hostname''))')",
      'strict:server_file_access',
    ],
    ["SELECT query_to_xmlschema('SELECT pg_ls_dir(''.'')', true, true, '')", 'strict:server_file_access'],
    ["SELECT ts_rewrite('a'::tsquery, 'SELECT lo_import(''/etc/hostname'')')", 'strict:server_file_access'],
    // A text computed at run time cannot be judged.
    [
      "SELECT query_to_xml(concat('SELECT set_config(''ro', 'le'', ''pg_monitor'', false)'), true, true, '')",
      'strict:unparsed',
    ],
  ];
  for (const [sql, rule] of cases) await refusedBy(c, sql, rule);
  assert.equal(await currentUser(c), user, 'the role did not change');
  // Reading rows through them stays possible.
  const ok = await c.query("SELECT query_to_xml('SELECT 1 AS one', true, true, '')");
  assert.deepEqual(ok.errors, []);
  assert.match(String(ok.rows[0]?.[0]), /<one>1<\/one>/);
  c.end();
});

test('a tables rule sees the table however the statement names it', async () => {
  const c = await login('alice', 'attacker-tables');
  assert.ok(c.loggedIn, c.login.codes);
  for (const sql of [
    // A CTE hides a table of its name only where the server resolves the name to it.
    'WITH payroll AS (SELECT * FROM payroll) SELECT * FROM payroll',
    'SELECT * FROM payroll WHERE EXISTS (WITH payroll AS (SELECT 1) SELECT 1)',
    'WITH a AS (SELECT * FROM payroll), payroll AS (SELECT 1) SELECT * FROM a',
    "WITH payroll AS (SELECT 1) UPDATE payroll SET salary = 1 WHERE name = 'ceo'",
    "WITH payroll AS (SELECT 1) INSERT INTO payroll VALUES ('me', 1)",
    // Tables held under other fields than `relation`, or read by a query in a text.
    'CREATE POLICY everyone ON payroll USING (true)',
    "CREATE OR REPLACE VIEW payroll_view AS SELECT 'x'::text AS name",
    "SELECT query_to_xml('SELECT * FROM payroll', true, true, '')",
    "SELECT table_to_xml('payroll', true, true, '')",
    "SELECT table_to_xml('PUBLIC.payroll'::regclass, true, false, '')",
  ]) {
    await refusedBy(c, sql, 'no-payroll');
  }
  // A CTE of that name, read where it is in scope, is no table.
  const cte = await c.query('WITH payroll AS (SELECT 1 AS one) SELECT * FROM payroll');
  assert.deepEqual(cte.errors, []);
  c.end();
  const rows = await direct((d) => d.query('select name, salary from payroll'));
  assert.deepEqual(rows.rows, [{ name: 'ceo', salary: 900000 }]);
  const policies = await direct((d) => d.query("select 1 from pg_policies where tablename = 'payroll'"));
  assert.equal(policies.rowCount, 0);
});
