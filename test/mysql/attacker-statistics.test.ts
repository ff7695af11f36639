// The optimizer's column statistics as a way around a rule on reading a table: after `ANALYZE
// TABLE payroll PERSISTENT FOR ALL`, MariaDB's mysql.column_stats holds each column's least and
// greatest value, so `SELECT max_value FROM mysql.column_stats WHERE table_name = 'payroll'`
// answers with a salary while naming only column_stats. A read of it reads every table's sampled
// values: a rule on reading any table holds it, through the parser and through the words of a
// statement the parser cannot read. Through the gateway, against a real MariaDB server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import mysql from 'mysql2/promise';
import { directOptions, mysqlFixtureForFile, vigilOptions } from './mysql-gateway.js';
import { NO_PAYROLL_READS } from './payroll-read-rule.js';

const { skip, f } = mysqlFixtureForFile('vigil_attack_statistics', {
  // Unknown statements allowed, so that the words of HANDLER are what refuses it.
  connection: { allow_unknown_statements: true },
  settings: NO_PAYROLL_READS,
  prepare: [
    "create table payroll (id int primary key, salary varchar(40)); insert into payroll values (1, 'secret-salary-1'), (2, 'secret-salary-9')",
    'create table t (id int, v text)',
    'analyze table payroll persistent for all',
  ],
});

const WHERE = "WHERE db_name = DATABASE() AND table_name = 'payroll' AND column_name = 'salary'";

test('directly, mysql.column_stats shows the least and greatest salary (the leak Vigil guards)', {
  skip,
}, async () => {
  const c = await mysql.createConnection(directOptions(f()));
  try {
    const [rows] = (await c.query(
      `SELECT min_value, max_value FROM mysql.column_stats ${WHERE}`,
    )) as unknown as [{ min_value: Buffer | string; max_value: Buffer | string }[]];
    assert.deepEqual(
      [String(rows[0]?.min_value), String(rows[0]?.max_value)],
      ['secret-salary-1', 'secret-salary-9'],
    );
  } finally {
    await c.end();
  }
});

test('a rule on reading payroll refuses every read of the column statistics, under any statement', {
  skip,
}, async () => {
  const c = await mysql.createConnection(vigilOptions(f()));
  try {
    for (const sql of [
      'SELECT * FROM mysql.column_stats',
      `SELECT max_value FROM mysql.column_stats ${WHERE}`,
      `SELECT max_value FROM \`MYSQL\`.\`Column_Stats\` ${WHERE}`,
      `SELECT (SELECT max_value FROM mysql.column_stats ${WHERE}) AS m`,
      `SELECT * FROM t WHERE EXISTS (SELECT 1 FROM mysql.column_stats ${WHERE} AND max_value LIKE 'secret%')`,
      `WITH s AS (SELECT max_value FROM mysql.column_stats ${WHERE}) SELECT * FROM s`,
      `INSERT INTO t SELECT 1, max_value FROM mysql.column_stats ${WHERE}`,
      `CREATE TABLE copy AS SELECT max_value FROM mysql.column_stats ${WHERE}`,
      'CREATE VIEW v AS SELECT * FROM mysql.column_stats',
      `UPDATE t SET v = (SELECT max_value FROM mysql.column_stats ${WHERE})`,
      'SELECT * FROM information_schema.COLUMN_STATISTICS',
      // Not parsed: the table comes from the statement's words.
      'HANDLER mysql.column_stats OPEN',
    ]) {
      await assert.rejects(c.query(sql), (e: { errno: number; message: string }) => {
        assert.equal(e.errno, 1142, sql);
        assert.match(e.message, /denied by rule no-payroll-reads/, sql);
        return true;
      });
    }
    // Other reads go on, the counts-only statistics among them.
    await c.query('SELECT * FROM t');
    await c.query("SELECT cardinality FROM mysql.table_stats WHERE table_name = 'payroll'");
  } finally {
    c.destroy();
  }
  const direct = await mysql.createConnection(directOptions(f()));
  try {
    const [rows] = (await direct.query('SELECT count(*) AS n FROM t')) as unknown as [{ n: number }[]];
    assert.equal(Number(rows[0]!.n), 0);
  } finally {
    await direct.end();
  }
});
