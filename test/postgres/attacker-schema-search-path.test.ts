// A rule on a schema (`billing.*`) against a statement that names its table without the schema and
// lets the server resolve it there: SET search_path, set_config, the database's default
// search_path, or a name with the catalog in front (DROP's name list). Through the gateway with the
// pg client, against the real server; the rows are checked on the server itself.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { confinedTablesPolicy } from '../support/confined-tables.js';
import { directClient, eachThroughVigil, type PgFixture, startPgFixture } from './pg-gateway.js';

const DATABASE = 'vigil_attacker_schema';
let f: PgFixture;

before(async () => {
  f = await startPgFixture(
    DATABASE,
    // Every session on a fresh server connection, which reads the database's default search_path.
    { pool: { max_idle: 0 } },
    {},
    confinedTablesPolicy('pg', 'billing.*'),
  );
  await direct(
    'drop schema if exists billing, "Billing" cascade; create schema billing; create schema "Billing"; ' +
      'create table billing.invoices (id int); insert into billing.invoices values (1), (2); ' +
      'create table "Billing".invoices (id int); insert into "Billing".invoices values (7)',
  );
});
after(() => f.close());

async function direct(sql: string): Promise<void> {
  const c = directClient(f);
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function invoiceCount(): Promise<number> {
  const c = directClient(f);
  await c.connect();
  try {
    const r = await c.query("select count(*)::int as n from pg_class where relname = 'invoices'");
    if (r.rows[0].n === 0) return -1;
    return (await c.query('select count(*)::int as n from billing.invoices')).rows[0].n as number;
  } finally {
    await c.end();
  }
}

const throughVigil = (user: 'alice' | 'bob', statements: readonly string[]) =>
  eachThroughVigil(f, user, DATABASE, statements);

test('a deny rule on billing.* holds a DELETE whose table the search_path puts in billing', async () => {
  const cases: string[][] = [
    ['SET search_path = billing; DELETE FROM invoices'],
    ['SET search_path = billing', 'DELETE FROM invoices'],
    ["SELECT set_config('search_path', 'billing', false)", 'DELETE FROM invoices'],
    ['SET search_path = billing', 'DELETE FROM invoices WHERE id = 1'],
    ['SET search_path = billing', 'WITH d AS (DELETE FROM invoices RETURNING 1) SELECT count(*) FROM d'],
  ];
  for (const statements of cases) {
    const errors = await throughVigil('alice', statements);
    assert.match(errors.at(-1) ?? '', /denied by rule no-billing-deletes/, statements.join(' / '));
  }
  assert.equal(await invoiceCount(), 2);
});

test('the database default search_path, which the gateway never sees set, is held too', async () => {
  await direct(`alter database ${DATABASE} set search_path = billing`);
  try {
    const errors = await throughVigil('alice', ['SELECT count(*) FROM invoices', 'DELETE FROM invoices']);
    assert.equal(errors[0], null, 'reading is not what the rule holds');
    assert.match(errors[1] ?? '', /denied by rule no-billing-deletes/);
  } finally {
    await direct(`alter database ${DATABASE} reset search_path`);
  }
  assert.equal(await invoiceCount(), 2);
});

test('a DROP naming the table with its database in front is held', async () => {
  const [error] = await throughVigil('alice', [`DROP TABLE ${DATABASE}.billing.invoices`]);
  assert.match(error ?? '', /denied by rule no-billing-deletes/);
  assert.equal(await invoiceCount(), 2);
});

test('a table named with another schema is not held', async () => {
  await direct(
    'drop table if exists public.scratch; create table public.scratch (id int); insert into public.scratch values (1)',
  );
  const [error] = await throughVigil('alice', ['SET search_path = billing', 'DELETE FROM public.scratch']);
  assert.deepEqual([error], [null]);
});

test('an allow rule on billing.* admits only names written in billing, in its case', async () => {
  const errors = await throughVigil('bob', [
    'SELECT count(*) FROM billing.invoices',
    'SELECT count(*) FROM invoices',
    'SELECT count(*) FROM "Billing".invoices',
  ]);
  assert.equal(errors[0], null);
  assert.match(errors[1] ?? '', /denied by rule bob-nothing-else/, 'unqualified: any schema on the path');
  assert.match(errors[2] ?? '', /denied by rule bob-nothing-else/, '"Billing" is another schema');
});
