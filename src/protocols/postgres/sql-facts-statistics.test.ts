import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { EVERY_TABLE } from '../../policy/table-patterns.js';
import { SqlClassifier } from './sql-classifier.js';

let c: SqlClassifier;
before(async () => {
  c = await SqlClassifier.create(2048, { byShape: false });
});

/** Whether any entry of the statement reads every table. */
const readsEvery = (sql: string) => c.classify(sql).some((s) => s.tables.includes(EVERY_TABLE));

test('a statement that reads the planner statistics reads every table', () => {
  for (const sql of [
    "SELECT most_common_vals, histogram_bounds FROM pg_stats WHERE tablename = 'payroll'",
    'SELECT * FROM pg_catalog.pg_stats',
    'SELECT * FROM "pg_stats"',
    'SELECT * FROM PG_CATALOG.PG_STATS',
    'SELECT * FROM pg_catalog."pg_stats_ext"',
    'SELECT * FROM pg_stats_ext_exprs',
    'SELECT stavalues1 FROM pg_statistic',
    'SELECT stxdmcv FROM pg_catalog.pg_statistic_ext_data',
    'SELECT (SELECT most_common_vals::text FROM pg_stats LIMIT 1)',
    'SELECT 1 UNION SELECT count(*) FROM pg_stats',
    'WITH s AS (SELECT * FROM pg_stats) SELECT * FROM s',
    'SELECT * INTO copy FROM pg_stats',
    'CREATE VIEW s AS SELECT * FROM pg_stats',
    'CREATE TABLE copy AS SELECT * FROM pg_statistic',
    'INSERT INTO copy SELECT most_common_vals::text FROM pg_stats',
    'COPY (SELECT * FROM pg_stats) TO STDOUT',
    'DECLARE c CURSOR FOR SELECT * FROM pg_stats',
    "SELECT query_to_xml('SELECT most_common_vals FROM pg_stats', true, false, '')",
    "CREATE FUNCTION f() RETURNS SETOF text LANGUAGE sql AS 'SELECT most_common_vals::text FROM pg_stats'",
    'CREATE FUNCTION f() RETURNS text LANGUAGE sql RETURN (SELECT most_common_vals::text FROM pg_stats LIMIT 1)',
    'UPDATE t SET v = (SELECT most_common_vals::text FROM pg_stats LIMIT 1)',
  ]) {
    assert.equal(readsEvery(sql), true, sql);
  }
});

test('a statement that names no statistics relation reads only its own tables', () => {
  for (const sql of [
    'SELECT * FROM payroll',
    'SELECT * FROM pg_stat_activity',
    'SELECT * FROM pg_class',
    // A WITH query of that name is not the catalog.
    'WITH pg_stats AS (SELECT 1) SELECT * FROM pg_stats',
    'INSERT INTO t VALUES (1)',
    "SELECT 'pg_stats'",
  ]) {
    assert.equal(readsEvery(sql), false, sql);
  }
});
