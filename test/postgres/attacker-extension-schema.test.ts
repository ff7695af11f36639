// A rule on a schema-qualified table (`hr.payroll`) against a statement that moves an extension:
// `ALTER EXTENSION e SET SCHEMA x` moves every member of e, tables included, from the extension's
// schema to x, so a table of the extension becomes readable as `x.payroll`, which the rule's pattern
// no longer meets; the statement names neither the table nor its schema. The extension is isn from
// PostgreSQL 15's contrib (relocatable); its scripts make no table, so one is made a member with
// `ALTER EXTENSION isn ADD TABLE` (as a package's script would own it). Through the gateway with
// the pg client, against the real server; where the table ends up is checked on the server itself.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TOKENS } from '../support/gateway.js';
import { direct as directOn, startHrPayrollFixture } from './hr-payroll-rules.js';
import { type PgFixture, vigilClient } from './pg-gateway.js';

const DATABASE = 'vigil_attacker_extension_schema';
const SECRET = 'secret-salary-9183';
let f: PgFixture;

before(async () => {
  f = await startHrPayrollFixture(DATABASE);
});
after(() => f.close());

const direct = <T>(run: (c: import('pg').Client) => Promise<T>) => directOn(f, run);

/** isn installed in hr, with hr.payroll one of its members. */
async function resetExtension(): Promise<void> {
  await direct((c) =>
    c.query(
      'drop extension if exists isn cascade; drop schema if exists hr, x cascade; ' +
        'create schema hr; create schema x; create extension isn schema hr; ' +
        `create table hr.payroll (id int, salary text); insert into hr.payroll values (1, '${SECRET}'); ` +
        'alter extension isn add table hr.payroll',
    ),
  );
}

/** The schema the table `payroll` and the extension isn are in, on the server. */
async function placement(): Promise<{ table: string; extension: string }> {
  return direct(async (c) => {
    const r = await c.query(
      "select (select relnamespace::regnamespace::text from pg_class where relname = 'payroll') as table, " +
        "(select extnamespace::regnamespace::text from pg_extension where extname = 'isn') as extension",
    );
    return r.rows[0] as { table: string; extension: string };
  });
}

/** Runs each statement through Vigil as `user`: its error message, or its rows as JSON. */
async function run(user: keyof typeof TOKENS, statements: readonly string[]): Promise<string[]> {
  const c = vigilClient(f, TOKENS[user], { user, database: DATABASE });
  await c.connect();
  try {
    const out: string[] = [];
    for (const sql of statements)
      out.push(
        await c.query(sql).then(
          (r) => JSON.stringify(r.rows),
          (e: Error) => `error: ${e.message}`,
        ),
      );
    return out;
  } finally {
    await c.end();
  }
}

test('the server moves an extension member table with ALTER EXTENSION … SET SCHEMA (the premise)', async () => {
  await resetExtension();
  await direct((c) => c.query('alter extension isn set schema x'));
  assert.deepEqual(await placement(), { table: 'x', extension: 'x' });
});

test('an extension holding a table a rule keeps from being read cannot be moved to read it under another name', async () => {
  for (const move of [
    'ALTER EXTENSION isn SET SCHEMA x',
    'ALTER EXTENSION "isn" SET SCHEMA "x"',
    'BEGIN; ALTER EXTENSION isn SET SCHEMA x; SELECT * FROM x.payroll; COMMIT',
  ]) {
    await resetExtension();
    const [moved, read] = await run('alice', [move, 'SELECT * FROM x.payroll']);
    assert.match(moved!, /denied by rule no-hr-payroll-reads/, move);
    assert.ok(!read!.includes(SECRET), `${move} let payroll be read as x.payroll: ${read}`);
    assert.deepEqual(await placement(), { table: 'hr', extension: 'hr' }, move);
  }
});

test('an allow-list on one table does not admit moving an extension, which may hold any table', async () => {
  await resetExtension();
  const [read, moved] = await run('bob', ['SELECT id FROM hr.payroll', 'ALTER EXTENSION isn SET SCHEMA x']);
  assert.equal(read, '[{"id":1}]', 'bob may read hr.payroll');
  assert.match(moved!, /denied by rule bob-nothing-else/);
  assert.deepEqual(await placement(), { table: 'hr', extension: 'hr' });
});

test('an ALTER EXTENSION that moves nothing is not held by the rule', async () => {
  await resetExtension();
  const [updated] = await run('alice', ['ALTER EXTENSION isn UPDATE']);
  assert.equal(updated, '[]');
  assert.deepEqual(await placement(), { table: 'hr', extension: 'hr' });
});
