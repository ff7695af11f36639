// Reads under another statement's name, as a way around a rule on reading a table: the rows of
// payroll leave it through INSERT … SELECT, CREATE TABLE AS, SELECT INTO, COPY TO, a cursor fetched
// later, or an UPDATE that copies them into a table the rule does not name. Through the gateway,
// against the real server.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { NO_PAYROLL_READS } from './payroll-read-rule.js';
import { type PgFixture, startPgFixture } from './pg-gateway.js';
import { truthfulRecordHelpers } from './truthful-record-fixture.js';

let f: PgFixture;

before(async () => {
  f = await startPgFixture('vigil_attacker_reads', {}, {}, NO_PAYROLL_READS);
});
after(() => f.close());

const { direct, login } = truthfulRecordHelpers(() => f);

test('the rows of a table a rule keeps from being read do not leave it under another statement kind', async () => {
  await direct((c) =>
    c.query(
      "drop table if exists payroll, copy, copy2, copy3, t; create table payroll (id int, salary text); insert into payroll values (1, 'secret-salary'); " +
        'create table copy (id int, salary text); create table t (id int, v text); insert into t values (1, null)',
    ),
  );
  const c = await login('alice', 'attacker-reads');
  assert.ok(c.loggedIn, c.login.codes);
  const plain = await c.query('SELECT * FROM payroll');
  assert.match(plain.errors[0]?.message ?? '', /denied by rule no-payroll-reads/);
  for (const sql of [
    'INSERT INTO copy SELECT * FROM payroll',
    'CREATE TABLE copy2 AS SELECT * FROM payroll',
    'SELECT * INTO copy3 FROM payroll',
    'COPY payroll TO STDOUT',
    'BEGIN; DECLARE cur CURSOR FOR SELECT * FROM payroll; FETCH ALL FROM cur; COMMIT',
    'UPDATE t SET v = p.salary FROM payroll p WHERE p.id = t.id',
    'DELETE FROM payroll WHERE id = 1 RETURNING *',
  ]) {
    const reply = await c.query(sql);
    assert.match(reply.errors[0]?.message ?? '', /denied by rule no-payroll-reads/, sql);
    assert.ok(!JSON.stringify(reply).includes('secret-salary'), `${sql} returned the salary`);
  }
  c.end();
  const state = await direct(async (d) => ({
    copy: (await d.query('select count(*)::int as n from copy')).rows[0].n as number,
    tables: (await d.query("select count(*)::int as n from pg_tables where tablename in ('copy2', 'copy3')"))
      .rows[0].n as number,
    t: (await d.query('select v from t')).rows[0].v as string | null,
    payroll: (await d.query('select count(*)::int as n from payroll')).rows[0].n as number,
  }));
  assert.deepEqual(state, { copy: 0, tables: 0, t: null, payroll: 1 });
});
