// A MERGE table as a way around a rule on reading a table: `CREATE TABLE m (…) ENGINE=MERGE
// UNION=(payroll)` (payroll a MyISAM table) makes payroll's rows readable as m's, and the parser
// cannot read the statement, so where unknown statements are allowed it ran past a rule on reading
// payroll. The tables of its UNION list are now read by it. Through the gateway, against a real
// MariaDB server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import mysql from 'mysql2/promise';
import { directOptions, mysqlFixtureForFile, tableExists, vigilOptions } from './mysql-gateway.js';
import { NO_PAYROLL_READS } from './payroll-read-rule.js';

const { skip, f } = mysqlFixtureForFile('vigil_attack_merge', {
  connection: { allow_unknown_statements: true },
  settings: NO_PAYROLL_READS,
  prepare: [
    "create table payroll (id int, salary varchar(40)) engine=myisam; insert into payroll values (1, 'secret-salary-merge')",
    'create table other (id int, salary varchar(40)) engine=myisam',
  ],
});

test('directly, a MERGE table over payroll returns its rows (the leak Vigil guards)', { skip }, async () => {
  const c = await mysql.createConnection(directOptions(f()));
  try {
    await c.query('CREATE TABLE direct_m (id int, salary varchar(40)) ENGINE=MERGE UNION=(payroll)');
    const [rows] = (await c.query('SELECT salary FROM direct_m')) as unknown as [{ salary: string }[]];
    assert.deepEqual(
      rows.map((r) => r.salary),
      ['secret-salary-merge'],
    );
  } finally {
    await c.end();
  }
});

test('a rule on reading payroll refuses making or pointing a MERGE table at it', { skip }, async () => {
  const c = await mysql.createConnection(vigilOptions(f()));
  try {
    for (const sql of [
      'CREATE TABLE m (id int, salary varchar(40)) ENGINE=MERGE UNION=(payroll)',
      `CREATE TABLE m (id int, salary varchar(40)) ENGINE=MRG_MyISAM UNION = (other, ${f().database}.payroll)`,
      'CREATE TABLE m (id int, salary varchar(40)) ENGINE=MERGE UNION (`payroll`) INSERT_METHOD=LAST',
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
    assert.equal(await tableExists(f(), 'm'), false);
    // A MERGE table over other tables is made; pointing it at payroll is refused.
    await c.query('CREATE TABLE m (id int, salary varchar(40)) ENGINE=MERGE UNION=(other)');
    await assert.rejects(c.query('ALTER TABLE m UNION=(payroll)'), { errno: 1142 });
    const [rows] = (await c.query('SELECT * FROM m')) as unknown as [unknown[]];
    assert.equal(rows.length, 0);
  } finally {
    c.destroy();
  }
});
