// Code and query texts Vigil cannot read, as ways around a rule on reading a table: a query text
// computed at run time (`query_to_xml('SELECT * FROM pay' || 'roll', …)`), the XML export of a
// whole schema or database, a DO block, a function in a language other than sql. Each may read any
// table, so a rule that keeps payroll from being read refuses them. Through the gateway with
// node-postgres on a connection without the strict preset, against the real server.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { NO_PAYROLL_READS } from './payroll-read-rule.js';
import { directClient, type PgFixture, startPgFixture, vigilClient } from './pg-gateway.js';

const SALARY = 'Zq7salary';
let f: PgFixture;

before(async () => {
  f = await startPgFixture('vigil_attacker_opaque_reads', {}, {}, NO_PAYROLL_READS);
  const d = directClient(f);
  await d.connect();
  try {
    await d.query(
      'drop table if exists payroll, notes cascade; drop function if exists lk(); ' +
        `create table payroll (id int, salary text); insert into payroll values (1, '${SALARY}'); ` +
        "create table notes (id int, note text); insert into notes values (1, 'fine')",
    );
  } finally {
    await d.end();
  }
});
after(() => f.close());

/** Runs `sql` through Vigil on a fresh session: its error, and everything the client was shown. */
async function through(sql: string): Promise<{ error: string | null; shown: string }> {
  const c = vigilClient(f);
  const notices: string[] = [];
  c.on('notice', (n) => notices.push(`${n.message} ${n.detail ?? ''}`));
  await c.connect();
  try {
    const out = await c.query(sql).then(
      (r) => ({ error: null, shown: JSON.stringify(r.rows) }),
      (e: Error) => ({ error: e.message, shown: e.message }),
    );
    return { ...out, shown: out.shown + notices.join(' ') };
  } finally {
    await c.end();
  }
}

test('a query text Vigil cannot read is no way around a rule on reading a table', async () => {
  const passed: string[] = [];
  for (const sql of [
    "SELECT query_to_xml('SELECT * FROM pay' || 'roll', true, true, '')",
    "SELECT query_to_xml(concat('TABLE ', 'payroll'), true, true, '')",
    "SELECT table_to_xml('pay' || 'roll', true, true, '')",
    "SELECT schema_to_xml('public', true, true, '')",
    "SELECT database_to_xml(true, true, '')",
    "SELECT ts_stat('SELECT to_tsvector(salary) FROM pay' || 'roll')",
    "DO $$BEGIN RAISE NOTICE '%', (SELECT salary FROM payroll); END$$",
    "DO $$DECLARE r text; BEGIN EXECUTE format('SELECT salary FROM %I', 'payroll') INTO r; RAISE NOTICE '%', r; END$$",
    'CREATE FUNCTION lk() RETURNS text LANGUAGE plpgsql AS $$BEGIN RETURN (SELECT salary FROM payroll); END$$',
  ]) {
    const { error, shown } = await through(sql);
    assert.ok(!shown.toLowerCase().includes('zq7'), `${sql} showed the salary: ${shown}`);
    if (!/denied by rule no-payroll-reads/.test(error ?? '')) passed.push(sql);
  }
  assert.deepEqual(passed, []);
  const d = directClient(f);
  await d.connect();
  try {
    const created = await d.query("select count(*)::int as n from pg_proc where proname = 'lk'");
    assert.equal(created.rows[0].n, 0, 'the function was not created');
  } finally {
    await d.end();
  }
});

test('texts Vigil can read still run: the rule holds only what may read the table', async () => {
  const read = await through("SELECT query_to_xml('SELECT note FROM notes', true, true, '')");
  assert.equal(read.error, null);
  assert.match(read.shown, /fine/);
  const viaTable = await through("SELECT table_to_xml('notes', true, true, '')");
  assert.equal(viaTable.error, null);
  const sqlFunction = await through(
    'CREATE OR REPLACE FUNCTION note_of(int) RETURNS text LANGUAGE sql AS $$SELECT note FROM notes WHERE id = $1$$',
  );
  assert.equal(sqlFunction.error, null);
});
