// Rows shown without being returned, as a way around a rule on reading a table: PostgreSQL quotes
// them in the errors of writes and DDL on the table (a failed cast, `Failing row contains (...)`, a
// duplicated key), tells them through a write's count, and serves them later under another name
// (a rename, a parent the table is made to inherit from). Through the gateway, against the real
// server: each statement must be refused before it runs, and the salary must not reach the client.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { NO_PAYROLL_READS } from './payroll-read-rule.js';
import { type PgFixture, startPgFixture, vigilClient } from './pg-gateway.js';
import { truthfulRecordHelpers } from './truthful-record-fixture.js';

let f: PgFixture;

before(async () => {
  f = await startPgFixture('vigil_attacker_exposed_rows', {}, {}, NO_PAYROLL_READS);
});
after(() => f.close());

const { direct, login } = truthfulRecordHelpers(() => f);

const SECRET = 'secret-salary';

async function resetTables(): Promise<void> {
  await direct((c) =>
    c.query(
      'drop table if exists payroll, p2, mine, x, log cascade; ' +
        "create table payroll (id int primary key, salary text, note text not null default ''); " +
        `insert into payroll values (1, '${SECRET}', 'n'); ` +
        "create table mine (id int, salary text, note text not null default ''); " +
        'create table log (id int, salary text); ' +
        // A function made earlier (an audit trigger's), which a new trigger can call with each row.
        'create or replace function audit() returns trigger language plpgsql as ' +
        "'begin insert into log values (new.id, new.salary); return new; end'",
    ),
  );
}

test('a statement on a table a rule keeps from being read cannot show its rows through errors, counts or a new name', async () => {
  await resetTables();
  const c = await login('alice', 'attacker-exposed-rows');
  assert.ok(c.loggedIn, c.login.codes);
  // Every statement that got past the rule, so that a failure names them all.
  const passed: string[] = [];
  for (const sql of [
    // The failed cast quotes the salary.
    'UPDATE payroll SET note = note WHERE salary::int > 0',
    // A NOT NULL violation quotes the whole row, though nothing here names a column of it.
    'UPDATE payroll SET note = NULL',
    // The count answers the WHERE: a salary guessed one comparison at a time.
    "BEGIN; DELETE FROM payroll WHERE salary > 'secret'; ROLLBACK",
    "MERGE INTO payroll p USING (VALUES (1)) v(id) ON v.id = p.id WHEN MATCHED AND p.salary::int > 0 THEN UPDATE SET note = 'x'",
    // The count (INSERT 0 0) tells that a row with this key is there.
    "INSERT INTO payroll VALUES (1, 'x') ON CONFLICT DO NOTHING",
    'CREATE INDEX ON payroll ((salary::int))',
    'CREATE UNIQUE INDEX ON payroll ((1))',
    'ALTER TABLE payroll ADD CHECK (salary::int > 0)',
    'ALTER TABLE payroll ALTER salary TYPE int USING salary::int',
    // Each alone, as an attacker sends them: `SELECT * FROM mine` (or p2) then returns payroll's rows.
    'ALTER TABLE payroll INHERIT mine',
    'ALTER TABLE payroll RENAME TO p2',
    // Each INSERT INTO x would then tell whether its key is in payroll.
    'CREATE TABLE x (id int REFERENCES payroll (id))',
    // Each salary the application writes later would be copied into log, which the rule does not hold.
    'CREATE RULE copy_out AS ON UPDATE TO payroll DO ALSO INSERT INTO log VALUES (NEW.id, NEW.salary)',
    'CREATE TRIGGER copy_out AFTER UPDATE ON payroll FOR EACH ROW EXECUTE FUNCTION audit()',
    // The target read by the INSERT's own query: the failed cast quotes the salary.
    'INSERT INTO payroll SELECT id + 100, salary::int::text, note FROM payroll',
  ]) {
    const reply = await c.query(sql);
    if (!/denied by rule no-payroll-reads/.test(reply.errors[0]?.message ?? '')) passed.push(sql);
    assert.ok(!JSON.stringify(reply).includes(SECRET) || passed.includes(sql), `${sql} showed the salary`);
  }
  assert.deepEqual(passed, []);
  // Writes that show nothing of the table still pass.
  const insert = await c.query("INSERT INTO payroll VALUES (2, 'new', 'm')");
  assert.deepEqual(insert.errors, [], 'a plain INSERT is not a read');
  c.end();
  const state = await direct(async (d) => ({
    payroll: (await d.query('select id, note from payroll order by id')).rows,
    indexes: (await d.query("select count(*)::int as n from pg_indexes where tablename = 'payroll'")).rows[0]
      .n as number,
    inherits: (await d.query('select count(*)::int as n from pg_inherits')).rows[0].n as number,
    x: (await d.query("select to_regclass('public.x') is null as gone")).rows[0].gone as boolean,
    // The application's own update copies nothing out.
    log: await d
      .query("update payroll set note = 'n' where id = 1; select count(*)::int as n from log")
      .then((r) => (r as unknown as { rows: { n: number }[] }[])[1]?.rows[0]?.n),
  }));
  assert.deepEqual(state, {
    payroll: [
      { id: 1, note: 'n' },
      { id: 2, note: 'm' },
    ],
    indexes: 1,
    inherits: 0,
    x: true,
    log: 0,
  });
});

test('the extended protocol is judged the same: a bound WHERE on the target is a read of it', async () => {
  await resetTables();
  const c = vigilClient(f);
  await c.connect();
  try {
    const error = await c.query('UPDATE payroll SET note = note WHERE salary::int > $1', [0]).then(
      () => null,
      (e: Error) => e.message,
    );
    assert.match(error ?? '', /denied by rule no-payroll-reads/);
    assert.ok(!(error ?? '').includes(SECRET));
    // Another table's writes are not held by the rule.
    await c.query('UPDATE mine SET note = note WHERE salary::int > $1', [0]);
  } finally {
    await c.end();
  }
});

test('a foreign table cannot be pointed at a table a rule keeps from being read', async () => {
  await resetTables();
  const u = new URL(f.directUrl);
  const password = f.server.password ? `, password '${f.server.password.replaceAll("'", "''")}'` : '';
  await direct((d) =>
    d.query(
      'create extension if not exists postgres_fdw; drop server if exists loopback cascade; ' +
        `create server loopback foreign data wrapper postgres_fdw options (host '${u.hostname}', port '${u.port}', dbname '${u.pathname.slice(1)}'); ` +
        `create user mapping for current_user server loopback options (user '${decodeURIComponent(u.username)}'${password}); ` +
        "create foreign table ft_mine (id int, salary text, note text) server loopback options (table_name 'mine')",
    ),
  );
  const c = await login('alice', 'attacker-exposed-foreign');
  assert.ok(c.loggedIn, c.login.codes);
  const passed: string[] = [];
  for (const sql of [
    "CREATE FOREIGN TABLE ft (id int, salary text, note text) SERVER loopback OPTIONS (table_name 'payroll')",
    "ALTER FOREIGN TABLE ft_mine OPTIONS (SET table_name 'payroll')",
  ]) {
    const reply = await c.query(sql);
    if (!/denied by rule no-payroll-reads/.test(reply.errors[0]?.message ?? '')) passed.push(sql);
  }
  // Reading through the foreign table still reads mine, and so is allowed.
  const read = await c.query('SELECT count(*) FROM ft_mine');
  c.end();
  assert.deepEqual(passed, []);
  assert.deepEqual(read.errors, []);
  assert.ok(!JSON.stringify(read).includes(SECRET));
  const options = await direct(
    async (d) =>
      (
        await d.query(
          "select ftoptions from pg_foreign_table t join pg_class c on c.oid = t.ftrelid where relname in ('ft', 'ft_mine')",
        )
      ).rows,
  );
  assert.deepEqual(options, [{ ftoptions: ['table_name=mine'] }]);
});
