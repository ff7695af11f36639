// Table names the server reads otherwise than a dotted string: a quoted identifier with a dot
// inside (`"billing.invoices"` is a table of that name, in whatever schema the search_path picks),
// a relation named by a regclass text (`setval('billing.invoice_seq', 1)`), and every way of
// putting billing on the search_path before an unqualified name. Through the gateway with the pg
// client, against the real server; what ran is checked on the server itself.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { confinedTablesPolicy } from '../support/confined-tables.js';
import { TOKENS } from '../support/gateway.js';
import {
  eachThroughVigil,
  type PgFixture,
  pgEvents,
  queryDirect,
  startPgFixture,
  vigilClient,
} from './pg-gateway.js';

const DATABASE = 'vigil_attacker_dotted_names';
let f: PgFixture;

before(async () => {
  f = await startPgFixture(
    DATABASE,
    // Every session on a fresh server connection, which reads the role's default search_path.
    { pool: { max_idle: 0 } },
    {},
    confinedTablesPolicy('pg', 'billing.*', [
      {
        name: 'audrey-no-billing',
        match: { principals: ['user:audrey'], tables: ['billing.*'] },
        action: 'deny',
      },
    ]),
  );
  await direct(
    'drop schema if exists billing cascade; create schema billing; ' +
      'create table billing.invoices (id int); insert into billing.invoices values (1), (2); ' +
      'create table billing."x.y" (id int); insert into billing."x.y" values (1), (2); ' +
      'create sequence billing.invoice_seq; ' +
      `drop table if exists public."billing.invoices"; create table public."billing.invoices" (secret text); ` +
      `insert into public."billing.invoices" values ('not billing')`,
  );
});
after(() => f.close());

const direct = <T = unknown>(sql: string) => queryDirect<T>(f, sql);

async function counts(): Promise<[number, number]> {
  const [r] = await direct<{ a: number; b: number }>(
    'select (select count(*)::int from billing.invoices) as a, (select count(*)::int from billing."x.y") as b',
  );
  return [r!.a, r!.b];
}

const throughVigil = (user: 'alice' | 'bob' | 'audrey', statements: readonly string[]) =>
  eachThroughVigil(f, user, DATABASE, statements);

test('an allow rule on billing.* does not admit a quoted "billing.invoices" of another schema', async () => {
  const errors = await throughVigil('bob', [
    'SELECT * FROM billing.invoices',
    'SELECT * FROM "billing.invoices"',
    'SELECT * FROM public."billing.invoices"',
  ]);
  assert.equal(errors[0], null);
  assert.match(
    errors[1] ?? '',
    /denied by rule bob-nothing-else/,
    'a table named billing.invoices in public',
  );
  assert.match(errors[2] ?? '', /denied by rule bob-nothing-else/);
});

test('a deny rule on billing.* holds a quoted name with a dot that the search_path puts in billing', async () => {
  const cases: string[][] = [
    ['SET search_path = billing', 'DELETE FROM "x.y"'],
    ['DELETE FROM billing."x.y"'],
    ['SET search_path = billing', 'DROP TABLE "x.y"'],
  ];
  for (const statements of cases) {
    const errors = await throughVigil('alice', statements);
    assert.match(errors.at(-1) ?? '', /denied by rule no-billing-deletes/, statements.join(' / '));
  }
  assert.deepEqual(await counts(), [2, 2]);
});

test('the recorded table list shows a name with a dot inside quoted', async () => {
  await throughVigil('alice', ['SELECT count(*) FROM public."billing.invoices"']);
  const events = await pgEvents(f);
  const tables = events
    .filter((e) => e.type === 'db.query')
    .flatMap(
      (e) =>
        (e.payload?.classification as { statements: { tables: string[] }[] } | undefined)?.statements ?? [],
    )
    .flatMap((s) => s.tables);
  assert.ok(tables.includes('public."billing.invoices"'), JSON.stringify(tables));
});

test('a tables rule sees the relation a regclass text names: setval, nextval, sizes, casts', async () => {
  const statements = [
    "SELECT setval('billing.invoice_seq', 100)",
    "SELECT nextval('billing.invoice_seq')",
    "SELECT nextval('BILLING.Invoice_Seq')",
    "SELECT pg_relation_size('billing.invoices')",
    "SELECT 'billing.invoices'::regclass::oid",
  ];
  const errors = await throughVigil('audrey', statements);
  for (const [i, sql] of statements.entries())
    assert.match(errors[i] ?? '', /denied by rule audrey-no-billing/, sql);
  const [seq] = await direct<{ is_called: boolean }>('select is_called from billing.invoice_seq');
  assert.equal(seq!.is_called, false, 'the sequence was never moved');
  // Through the search_path, as a name in a FROM clause would be.
  const [viaPath] = await throughVigil('audrey', [
    "SET search_path = billing; SELECT nextval('invoice_seq')",
  ]);
  assert.match(viaPath ?? '', /denied by rule audrey-no-billing/);
  const [other] = await throughVigil('audrey', ['SELECT pg_relation_size(\'public."billing.invoices"\')']);
  assert.equal(other, null, 'a relation of another schema');
});

test('a tables rule sees the relation a bound parameter names: setval($1), $1::regclass', async () => {
  const c = vigilClient(f, TOKENS.audrey, { user: 'audrey', database: DATABASE });
  await c.connect();
  try {
    for (const [sql, params] of [
      ['SELECT setval($1, 100)', ['billing.invoice_seq']],
      ['SELECT nextval($1::text)', ['"billing".INVOICE_SEQ']],
      ['SELECT pg_relation_size($2), $1::int', [1, 'billing.invoices']],
      ['SELECT $1::regclass::oid', ['billing.invoices']],
    ] as const)
      await assert.rejects(c.query(sql, [...params]), /denied by rule audrey-no-billing/, sql);
    // Another schema's relation, or no relation, goes through.
    await c.query('SELECT pg_relation_size($1)', ['public."billing.invoices"']);
  } finally {
    await c.end();
  }
  const [seq] = await direct<{ is_called: boolean }>('select is_called from billing.invoice_seq');
  assert.equal(seq!.is_called, false, 'the sequence was never moved');
});

test('every way of putting billing on the search_path meets the same deny rule', async () => {
  const cases: string[][] = [
    ['BEGIN', 'SET LOCAL search_path = billing', 'DELETE FROM invoices', 'ROLLBACK'],
    ["BEGIN; SELECT set_config('search_path', 'billing', true); DELETE FROM invoices; COMMIT"],
    [
      'CREATE FUNCTION public.purge() RETURNS void LANGUAGE sql SET search_path = billing AS $$ DELETE FROM invoices $$',
    ],
  ];
  for (const statements of cases) {
    const errors = await throughVigil('alice', statements);
    assert.ok(
      errors.some((e) => /denied by rule no-billing-deletes/.test(e ?? '')),
      `${statements.join(' / ')}: ${JSON.stringify(errors)}`,
    );
  }
  // A role's default for this database, which the gateway never sees set.
  await direct(`alter role current_user in database ${DATABASE} set search_path = billing`);
  try {
    const [error] = await throughVigil('alice', ['DELETE FROM invoices']);
    assert.match(error ?? '', /denied by rule no-billing-deletes/);
  } finally {
    await direct(`alter role current_user in database ${DATABASE} reset search_path`);
  }
  assert.equal((await counts())[0], 2);
  const fn = await direct("select 1 from pg_proc where proname = 'purge'");
  assert.equal(fn.length, 0, 'the function was never created');
});
