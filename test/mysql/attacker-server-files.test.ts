// The database server's own files as a way around a rule on reading a table: with the FILE
// privilege, `LOAD DATA INFILE 'payroll.ibd'` (the server's file, not the client's; a relative name
// is in the default database's directory) copies payroll's pages, salaries legible, into a table
// the rule does not name, and LOAD_FILE returns any world-readable file (an earlier INTO OUTFILE,
// a log kept readable). None names payroll. A statement reading the server's files
// is now recorded as reading every table, so a rule on reading payroll holds it. Through the
// gateway, against a real MariaDB server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import mysql from 'mysql2/promise';
import { directOptions, mysqlFixtureForFile, rowCount, vigilOptions } from './mysql-gateway.js';
import { NO_PAYROLL_READS } from './payroll-read-rule.js';

const { skip, f } = mysqlFixtureForFile('vigil_attack_server_files', {
  connection: { allow_unknown_statements: true },
  settings: NO_PAYROLL_READS,
  prepare: [
    'create table payroll (id int primary key, salary varchar(40))',
    "insert into payroll values (1, 'secret-salary-file-1')",
    'create table t (v longtext)',
    'create table leak (v longblob)',
    // Payroll's pages written to its file, as the server does in time anyway.
    'flush tables payroll for export',
    'unlock tables',
  ],
});

test("directly, LOAD DATA INFILE of payroll's data file copies its salaries into another table (the leak Vigil guards)", {
  skip,
}, async () => {
  const c = await mysql.createConnection(directOptions(f()));
  try {
    // A relative name is read from the default database's directory, which needs no world-readable file.
    await c.query("LOAD DATA INFILE 'payroll.ibd' INTO TABLE leak CHARACTER SET binary");
    const [rows] = (await c.query(
      "SELECT count(*) AS n FROM leak WHERE v LIKE '%secret-salary-file-1%'",
    )) as unknown as [{ n: number }[]];
    assert.ok(Number(rows[0]!.n) > 0);
  } finally {
    await c.end();
  }
});

test("a rule on reading payroll refuses every read of the server's files", { skip }, async () => {
  const c = await mysql.createConnection(vigilOptions(f()));
  try {
    for (const sql of [
      "SELECT LOAD_FILE('/etc/passwd')",
      'SELECT LOAD_FILE(@@general_log_file)',
      "SELECT LOAD_FILE(CONCAT(@@datadir, DATABASE(), '/payroll.ibd'))",
      'SELECT `load_file` (@@general_log_file) AS x',
      "SELECT * FROM t WHERE LOCATE('secret', LOAD_FILE(@@general_log_file)) > 0",
      'INSERT INTO t SELECT LOAD_FILE(@@general_log_file)',
      'UPDATE t SET v = LOAD_FILE(@@general_log_file)',
      'DO LOAD_FILE(@@general_log_file)',
      "LOAD DATA INFILE 'payroll.ibd' INTO TABLE t CHARACTER SET binary",
      "LOAD DATA CONCURRENT INFILE './payroll.ibd' INTO TABLE t",
      "LOAD XML INFILE 'payroll.ibd' INTO TABLE t",
    ]) {
      await assert.rejects(
        c.query(sql),
        (e: { errno: number; message: string }) => {
          assert.equal(e.errno, 1142, sql);
          assert.match(e.message, /denied by rule no-payroll-reads/, sql);
          return true;
        },
        sql,
      );
    }
    await c.query('SELECT * FROM t');
  } finally {
    c.destroy();
  }
  assert.equal(await rowCount(f(), 't'), 0);
});
