// The planner's statistics as a way around a rule on reading a table: after ANALYZE, pg_stats (and
// pg_statistic, pg_stats_ext, … behind it) shows sampled values of payroll's columns, yet the
// statement names pg_stats, not payroll. Such a read counts as reading every table
// (sql-facts-statistics.ts): a rule that denies reading payroll holds it, a rule allowing only
// certain tables does not grant it, and without a rule it runs. With node-postgres, through the
// gateway, against the real server.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TOKENS } from '../support/gateway.js';
import { directClient, type PgFixture, startPgFixture, vigilClient } from './pg-gateway.js';

let f: PgFixture;

before(async () => {
  f = await startPgFixture(
    'vigil_attacker_planner_statistics',
    {},
    {},
    {
      policy: {
        rules: [
          {
            name: 'no-payroll-reads',
            match: { principals: ['user:bob'], statement_kinds: ['SELECT'], tables: ['payroll'] },
            action: 'deny',
          },
          {
            name: 'audrey-reads-catalogs',
            match: { principals: ['user:audrey'], tables: ['pg_stats', 'pg_catalog.*', 'public.t'] },
            action: 'allow',
          },
          { name: 'audrey-nothing-else', match: { principals: ['user:audrey'] }, action: 'deny' },
        ],
      },
    },
  );
  const d = directClient(f);
  await d.connect();
  try {
    await d.query(
      'drop table if exists payroll, t; create table payroll (id int, salary text); ' +
        "insert into payroll select i, 'salary-' || (i % 3) from generate_series(1, 300) i; " +
        'create table t (id int); analyze payroll',
    );
  } finally {
    await d.end();
  }
});
after(() => f.close());

const STATISTICS_READS = [
  "SELECT most_common_vals, histogram_bounds FROM pg_stats WHERE tablename = 'payroll'",
  "SELECT most_common_vals::text FROM pg_catalog.pg_stats WHERE tablename = 'payroll'",
  'SELECT * FROM "pg_stats"',
  'SELECT stavalues1::text FROM pg_statistic',
  'WITH s AS (SELECT most_common_vals::text AS v FROM pg_stats) SELECT v FROM s',
  "SELECT query_to_xml('SELECT most_common_vals FROM pg_stats', true, false, '')",
  'CREATE VIEW s AS SELECT most_common_vals::text AS v FROM pg_stats',
];

/** Each statement's error as node-postgres reports it ({code, message}), or null when it ran. */
async function run(user: 'alice' | 'bob' | 'audrey', statements: readonly string[]) {
  const c = vigilClient(f, TOKENS[user], { user, application_name: 'attacker-planner-statistics' });
  await c.connect();
  try {
    const out: ({ code?: string; message: string } | { rows: number })[] = [];
    for (const sql of statements)
      out.push(
        await c.query(sql).then(
          (r) => ({ rows: r.rowCount ?? 0 }),
          (e: { code?: string; message: string }) => ({ code: e.code, message: e.message }),
        ),
      );
    return out;
  } finally {
    await c.end();
  }
}

test('a rule denying reads of payroll holds a read of the planner statistics', async () => {
  const out = await run('bob', ['SELECT * FROM payroll', ...STATISTICS_READS]);
  for (const [i, sql] of ['SELECT * FROM payroll', ...STATISTICS_READS].entries()) {
    const reply = out[i]!;
    assert.ok('message' in reply, `${sql} ran`);
    assert.equal(reply.code, '42501', sql);
    assert.match(reply.message, /denied by rule no-payroll-reads/, sql);
  }
});

test('a rule allowing certain tables, pg_stats among them, does not allow the statistics of all', async () => {
  const [own, stats, catalog] = await run('audrey', [
    'SELECT * FROM public.t',
    "SELECT most_common_vals FROM pg_stats WHERE tablename = 'payroll'",
    'SELECT stavalues1::text FROM pg_catalog.pg_statistic',
  ]);
  assert.deepEqual(own, { rows: 0 }, 'the tables it names are allowed');
  for (const reply of [stats, catalog]) {
    assert.ok(reply && 'message' in reply, 'the statistics ran');
    assert.match(reply.message, /denied by rule audrey-nothing-else/);
  }
});

test('without such a rule the statistics are read', async () => {
  const [stats] = await run('alice', [
    "SELECT tablename, most_common_vals FROM pg_stats WHERE tablename = 'payroll'",
  ]);
  assert.ok(stats && 'rows' in stats && stats.rows > 0, JSON.stringify(stats));
});
