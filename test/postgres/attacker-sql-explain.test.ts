// EXPLAIN ANALYZE runs the statement it explains, and that may be a CREATE TABLE AS, a CREATE
// MATERIALIZED VIEW or a SELECT ... INTO: the table is created, though the statement reads as an
// EXPLAIN. PostgreSQL 15 creates it even in a read-only transaction, so on a read-only connection
// the guard is the only wall. Through the gateway, against the real server.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import { directClient, type PgFixture, startPgFixture, vigilClient } from './pg-gateway.js';

let readOnly: PgFixture;
let ddlRule: PgFixture;

before(async () => {
  readOnly = await startPgFixture('vigil_attacker_sql_explain_ro', { guardrails: { read_only: true } });
  ddlRule = await startPgFixture(
    'vigil_attacker_sql_explain_ddl',
    {},
    {},
    { policy: { rules: [{ name: 'no-create', match: { statement_kinds: ['CREATE'] }, action: 'deny' }] } },
  );
});
after(async () => {
  await readOnly?.close();
  await ddlRule?.close();
});

async function direct<T>(f: PgFixture, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = directClient(f);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (err: { code?: string; message: string }) => err,
  );

const TEXTS = [
  'EXPLAIN ANALYZE CREATE TABLE stolen AS SELECT * FROM payroll',
  'EXPLAIN (ANALYZE, COSTS OFF) SELECT * INTO stolen FROM payroll',
  'EXPLAIN ANALYZE CREATE MATERIALIZED VIEW stolen AS SELECT * FROM payroll',
];

for (const [name, fixture, rule] of [
  ['a read-only connection', () => readOnly, /read_only/],
  ['a rule on CREATE', () => ddlRule, /no-create/],
] as const) {
  test(`EXPLAIN ANALYZE of a statement that creates a table is a CREATE (${name})`, async () => {
    const f = fixture();
    await direct(f, (d) =>
      d.query(
        'drop table if exists stolen; drop materialized view if exists stolen; drop table if exists payroll; create table payroll (salary int); insert into payroll values (100)',
      ),
    );
    const c = vigilClient(f, undefined, { application_name: 'attacker-sql-explain' });
    await c.connect();
    try {
      for (const sql of TEXTS) {
        const err = await failure(c.query(sql));
        assert.equal(err?.code, '42501', `${sql}: denied, not run (${err?.message ?? 'it ran'})`);
        assert.match(err?.message ?? '', rule, sql);
        const made = await direct(f, (d) => d.query("select to_regclass('public.stolen') is not null as e"));
        assert.equal(made.rows[0].e, false, `${sql}: no table made`);
      }
      // An EXPLAIN ANALYZE of a plain query still runs.
      await c.query('EXPLAIN ANALYZE SELECT * FROM payroll');
    } finally {
      await c.end();
    }
  });
}
