// Attacker: an allow-list written as policy rules, `statement_kinds: [SELECT]` or `tables:
// [billing.*]` above a default of deny. A rule matched when any statement, table or tool of the
// action did, which is right for a rule that denies and wrong for one that allows: bob, allowed
// SELECT, ran `SELECT 1; DROP TABLE t` and a DELETE inside a SELECT's WITH, and a join of a billing
// table with one outside billing passed an allow on billing.*. An allow rule now matches only when
// every statement kind, table or tool of the action does. Through the gateway with the pg client,
// against the real server; what ran is checked on the server itself.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eachThroughVigil, type PgFixture, queryDirect, startPgFixture } from './pg-gateway.js';

const DATABASE = 'vigil_attacker_allow_every';
let f: PgFixture;

before(async () => {
  f = await startPgFixture(
    DATABASE,
    {},
    {},
    {
      policy: {
        default: 'deny',
        rules: [
          {
            name: 'bob-reads',
            match: { principals: ['user:bob'], statement_kinds: ['SELECT'] },
            action: 'allow',
          },
          {
            name: 'audrey-billing',
            match: { principals: ['user:audrey'], tables: ['billing.*'] },
            action: 'allow',
          },
        ],
      },
    },
  );
  await direct(
    'drop schema if exists billing cascade; create schema billing; ' +
      'create table billing.invoices (id int); insert into billing.invoices values (1), (2); ' +
      'drop table if exists public.salaries; create table public.salaries (who text, amount int); ' +
      "insert into public.salaries values ('ann', 100)",
  );
});
after(() => f.close());

const direct = <T = unknown>(sql: string) => queryDirect<T>(f, sql);

const throughVigil = (user: 'bob' | 'audrey', statements: readonly string[]) =>
  eachThroughVigil(f, user, DATABASE, statements);

test('an allow on SELECT admits SELECTs only: a DROP after one, or a DELETE inside one, falls to the default', async () => {
  const errors = await throughVigil('bob', [
    'SELECT count(*) FROM billing.invoices',
    'SELECT 1; DROP TABLE billing.invoices',
    'WITH d AS (DELETE FROM billing.invoices RETURNING *) SELECT count(*) FROM d',
  ]);
  assert.equal(errors[0], null, 'the control: a SELECT runs');
  assert.match(errors[1] ?? '', /no policy rule allows this action/);
  assert.match(errors[2] ?? '', /no policy rule allows this action/);
  const [left] = await direct<{ n: number }>('select count(*)::int as n from billing.invoices');
  assert.equal(left?.n, 2, 'the table and its rows are still there');
});

test('an allow on billing.* admits statements that touch billing only', async () => {
  const errors = await throughVigil('audrey', [
    'SELECT count(*) FROM billing.invoices',
    'SELECT i.id, s.amount FROM billing.invoices i, public.salaries s',
    'SELECT count(*) FROM billing.invoices; SELECT * FROM public.salaries',
  ]);
  assert.equal(errors[0], null, 'the control: billing alone runs');
  assert.match(errors[1] ?? '', /no policy rule allows this action/);
  assert.match(errors[2] ?? '', /no policy rule allows this action/);
});
