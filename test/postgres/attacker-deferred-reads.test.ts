// Reads kept to run later under another statement's name, as a way around a rule on reading a
// table: a rule whose action is a SELECT answers every statement that fires it with the rows it
// selects (`CREATE RULE r AS ON INSERT TO log DO INSTEAD SELECT * FROM payroll`, then `INSERT INTO
// log VALUES (1)` returns payroll), an ON SELECT rule makes a table a view of payroll, and a
// `LANGUAGE sql` function written inline (`BEGIN ATOMIC ... END`, `RETURN (SELECT ...)`) returns
// them to a later `SELECT f()`. Until 7 December each was judged as a CREATE only, and the later
// statement named no table of the rule. Nor is `EXPLAIN ANALYZE SELECT` only an EXPLAIN: it runs
// its query, and what it reports (row counts) or fails with (a cast that quotes the value) comes
// from the rows. Through the gateway, against the real server.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { NO_PAYROLL_READS } from './payroll-read-rule.js';
import { type PgFixture, pgEvents, startPgFixture } from './pg-gateway.js';
import { truthfulRecordHelpers } from './truthful-record-fixture.js';

let f: PgFixture;

before(async () => {
  f = await startPgFixture('vigil_attacker_deferred_reads', {}, {}, NO_PAYROLL_READS);
});
after(() => f.close());

const { direct, login } = truthfulRecordHelpers(() => f);

const SETUP =
  'drop table if exists payroll, log, log2 cascade; drop function if exists leak_atomic(), leak_return(); ' +
  "create table payroll (id int, salary text); insert into payroll values (1, 'secret-salary'); " +
  'create table log (x int); create table log2 (x int)';

test('a rule or an inline sql function that reads a table a rule keeps from being read is judged as that read', async () => {
  await direct((c) => c.query(SETUP));
  const c = await login('alice', 'attacker-deferred-reads');
  assert.ok(c.loggedIn, c.login.codes);
  const attempts: [create: string, use: string][] = [
    ['CREATE RULE leak AS ON INSERT TO log DO INSTEAD SELECT * FROM payroll', 'INSERT INTO log VALUES (1)'],
    [
      'CREATE RULE "_RETURN" AS ON SELECT TO log2 DO INSTEAD SELECT id AS x FROM payroll',
      'SELECT * FROM log2',
    ],
    [
      'CREATE RULE oracle AS ON INSERT TO log2 WHERE EXISTS (SELECT 1 FROM payroll WHERE salary LIKE $$s%$$) DO INSTEAD NOTHING',
      'INSERT INTO log2 VALUES (1)',
    ],
    [
      'CREATE FUNCTION leak_atomic() RETURNS SETOF text LANGUAGE sql BEGIN ATOMIC SELECT salary FROM payroll; END',
      'SELECT leak_atomic()',
    ],
    [
      'CREATE FUNCTION leak_return() RETURNS text LANGUAGE sql RETURN (SELECT salary FROM payroll LIMIT 1)',
      'SELECT leak_return()',
    ],
  ];
  for (const [create, use] of attempts) {
    const made = await c.query(create);
    assert.match(made.errors[0]?.message ?? '', /denied by rule no-payroll-reads/, create);
    const used = await c.query(use);
    assert.ok(!JSON.stringify(used.rows).includes('secret-salary'), `${use} returned the salary`);
  }
  // A rule that selects from other tables, and a function that returns a computed value, still run.
  const fine = await c.query(
    'CREATE RULE echo AS ON INSERT TO log DO INSTEAD SELECT new.x + 1 AS y; INSERT INTO log VALUES (41)',
  );
  assert.deepEqual([fine.errors, fine.rows], [[], [['42']]]);
  c.end();

  const left = await direct(async (d) => ({
    rules: (await d.query("select rulename from pg_rules where tablename in ('log', 'log2') order by 1"))
      .rows,
    functions: (await d.query("select count(*)::int as n from pg_proc where proname like 'leak%'")).rows[0].n,
    view: (await d.query("select relkind from pg_class where relname = 'log2'")).rows[0].relkind,
  }));
  assert.deepEqual(left, { rules: [{ rulename: 'echo' }], functions: 0, view: 'r' });

  // The record says why: each CREATE is followed by the nested read it keeps for later.
  const queries = (await pgEvents(f)).filter((e) => e.type === 'db.query');
  const rule = queries.find((e) => String(e.payload?.statement).startsWith('CREATE RULE leak'));
  const classification = rule?.payload?.classification as
    | { statements: { kind: string; tables: string[] }[] }
    | undefined;
  const entries = classification?.statements ?? [];
  assert.deepEqual(
    entries.map((s) => [s.kind, s.tables]),
    [
      ['CREATE', ['log', 'payroll']],
      ['SELECT', ['payroll']],
    ],
  );
});

test('EXPLAIN ANALYZE of a query that reads a table a rule keeps from being read is that read', async () => {
  await direct((c) => c.query(SETUP));
  const c = await login('alice', 'attacker-explain-analyze');
  assert.ok(c.loggedIn, c.login.codes);
  for (const sql of [
    'EXPLAIN ANALYZE SELECT salary::int FROM payroll',
    'EXPLAIN (ANALYSE, COSTS off) SELECT 1 FROM payroll WHERE salary::int > 0',
    "EXPLAIN (ANALYZE, FORMAT json) SELECT * FROM log WHERE x = (SELECT length(salary) FROM payroll WHERE salary LIKE 's%')",
  ]) {
    const reply = await c.query(sql);
    assert.match(reply.errors[0]?.message ?? '', /denied by rule no-payroll-reads/, sql);
    assert.ok(!JSON.stringify(reply).includes('secret-salary'), `${sql} showed the salary`);
  }
  // A plan without running it reads the planner's statistics, whose estimates answer questions
  // about the rows (`rows=1` for one salary, `rows=300` for another): refused too.
  const plan = await c.query('EXPLAIN SELECT * FROM payroll WHERE salary = $$secret-salary$$');
  assert.match(plan.errors[0]?.message ?? '', /denied by rule no-payroll-reads/);
  c.end();
});
