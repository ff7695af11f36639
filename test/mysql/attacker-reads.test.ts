// Reads under another statement's name, as a way around a rule on reading a table: the rows of
// payroll leave it through INSERT … SELECT, CREATE TABLE … SELECT or an UPDATE joined to it.
// Through the gateway, against a real MariaDB server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import mysql from 'mysql2/promise';
import { adminConnection } from '../support/mariadb-server.js';
import { mysqlFixtureForFile, vigilOptions } from './mysql-gateway.js';
import { NO_PAYROLL_READS } from './payroll-read-rule.js';

const { skip, f } = mysqlFixtureForFile('vigil_attack_reads', {
  settings: NO_PAYROLL_READS,
  prepare: [
    "create table payroll (id int, salary text); insert into payroll values (1, 'secret-salary')",
    'create table copy (id int, salary text); create table t (id int, v text); insert into t values (1, null)',
  ],
});

test('the rows of a table a rule keeps from being read do not leave it under another statement kind', {
  skip,
}, async () => {
  const c = await mysql.createConnection(vigilOptions(f()));
  for (const sql of [
    'SELECT * FROM payroll',
    'INSERT INTO copy SELECT * FROM payroll',
    'CREATE TABLE copy2 AS SELECT * FROM payroll',
    'UPDATE t JOIN payroll p ON p.id = t.id SET t.v = p.salary',
    'UPDATE t SET v = (SELECT salary FROM payroll LIMIT 1) WHERE id = 1',
  ]) {
    await assert.rejects(c.query(sql), (e: { errno: number; message: string }) => {
      assert.equal(e.errno, 1142, sql);
      assert.match(e.message, /denied by rule no-payroll-reads/, sql);
      return true;
    });
  }
  await c.end();
  const admin = await adminConnection(f().server, f().database);
  try {
    const [copy] = (await admin.query('select count(*) as n from copy')) as unknown as [{ n: number }[]];
    const [t] = (await admin.query('select v from t')) as unknown as [{ v: string | null }[]];
    const [made] = (await admin.query("show tables like 'copy2'")) as unknown as [unknown[]];
    assert.deepEqual([Number(copy[0]!.n), t[0]!.v, made.length], [0, null, 0]);
  } finally {
    await admin.end();
  }
});
