// A rule on a schema-qualified table (`hr.payroll`, `hr.*`) against a statement that moves the whole
// schema: `ALTER SCHEMA hr RENAME TO x` makes payroll readable as `x.payroll`, which the rule's
// pattern no longer meets, and the statement itself names no table. Through the gateway with the
// pg client, against the real server; the schema is checked on the server itself.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TOKENS } from '../support/gateway.js';
import { direct as directOn, startHrPayrollFixture } from './hr-payroll-rules.js';
import { type PgFixture, vigilClient } from './pg-gateway.js';

const DATABASE = 'vigil_attacker_schema_rename';
const SECRET = 'secret-salary-4471';
let f: PgFixture;

before(async () => {
  f = await startHrPayrollFixture(DATABASE);
});
after(() => f.close());

const direct = <T>(run: (c: import('pg').Client) => Promise<T>) => directOn(f, run);

async function resetSchemas(): Promise<void> {
  await direct((c) =>
    c.query(
      'drop schema if exists hr, x, scratch, scratch2 cascade; create schema hr; create schema scratch; ' +
        `create table hr.payroll (id int, salary text); insert into hr.payroll values (1, '${SECRET}'); ` +
        'create table scratch.notes (id int)',
    ),
  );
}

async function schemas(): Promise<string[]> {
  return direct(async (c) =>
    (
      await c.query(
        "select nspname from pg_namespace where nspname in ('hr', 'x', 'scratch', 'scratch2') order by 1",
      )
    ).rows.map((r: { nspname: string }) => r.nspname),
  );
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

test('a schema holding a table a rule keeps from being read cannot be renamed to read it under another name', async () => {
  for (const rename of [
    'ALTER SCHEMA hr RENAME TO x',
    'ALTER SCHEMA "hr" RENAME TO x',
    'ALTER SCHEMA HR RENAME TO x',
    'BEGIN; ALTER SCHEMA hr RENAME TO x; SELECT * FROM x.payroll; COMMIT',
  ]) {
    await resetSchemas();
    const [renamed, read] = await run('alice', [rename, 'SELECT * FROM x.payroll']);
    assert.match(renamed!, /denied by rule no-hr-payroll-reads/, rename);
    assert.ok(!read!.includes(SECRET), `${rename} let payroll be read as x.payroll: ${read}`);
    assert.deepEqual(await schemas(), ['hr', 'scratch'], rename);
  }
});

test('a rename of another schema is not held by a rule on hr', async () => {
  await resetSchemas();
  const [renamed] = await run('alice', ['ALTER SCHEMA scratch RENAME TO scratch2']);
  assert.equal(renamed, '[]');
  assert.deepEqual(await schemas(), ['hr', 'scratch2']);
});

test('an allow-list on one table of a schema does not admit renaming the whole schema', async () => {
  await resetSchemas();
  const [read, renamed] = await run('bob', ['SELECT id FROM hr.payroll', 'ALTER SCHEMA hr RENAME TO x']);
  assert.equal(read, '[{"id":1}]', 'bob may read hr.payroll');
  assert.match(renamed!, /denied by rule bob-nothing-else/);
  assert.deepEqual(await schemas(), ['hr', 'scratch']);
});
