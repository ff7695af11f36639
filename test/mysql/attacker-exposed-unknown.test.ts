// Statements node-sql-parser cannot read (UNKNOWN) that show a table's rows, where unknown
// statements are allowed: `HANDLER payroll OPEN` then `HANDLER payroll READ FIRST` returns its
// rows as a SELECT would, and a trigger runs at every later write of its table, by anyone, with
// its rows (`CREATE TRIGGER … AFTER INSERT ON payroll FOR EACH ROW INSERT INTO log VALUES
// (NEW.salary)` copies into log each salary the application writes). Each still reads its table.
// Through the gateway, against a real MariaDB server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import mysql from 'mysql2/promise';
import { adminConnection } from '../support/mariadb-server.js';
import { directOptions, mysqlFixtureForFile, vigilOptions } from './mysql-gateway.js';
import { NO_PAYROLL_READS } from './payroll-read-rule.js';

const { skip, f } = mysqlFixtureForFile('vigil_attack_exposed_unknown', {
  connection: { allow_unknown_statements: true },
  settings: NO_PAYROLL_READS,
  prepare: [
    "create table payroll (id int primary key, salary text); insert into payroll values (1, 'secret-salary')",
    'create table log (v text)',
  ],
});

/** Reads of payroll the parser cannot read, each returning a salary from MariaDB 10.11. */
const UNPARSED_READS = [
  'SELECT * FROM payroll IGNORE INDEX (PRIMARY)',
  'SELECT * FROM (SELECT 1 AS one) x, payroll USE INDEX ()',
  'SELECT * FROM log NATURAL RIGHT JOIN payroll',
  'VALUES ((SELECT salary FROM payroll))',
  'SELECT * FROM {oj log RIGHT OUTER JOIN payroll ON 1}',
  'BEGIN NOT ATOMIC SELECT * FROM payroll; END',
  // Text Vigil does not read, a literal (a computed one is refused as it may set anything): it may
  // read any table.
  "EXECUTE IMMEDIATE 'SELECT * FROM payroll'",
];

test('statements the parser cannot read that read a table a rule keeps from being read are refused where unknown statements are allowed', {
  skip,
}, async () => {
  const direct = await mysql.createConnection({ ...directOptions(f()), multipleStatements: true });
  try {
    for (const sql of UNPARSED_READS) {
      const [rows] = await direct.query(sql);
      assert.match(JSON.stringify(rows), /secret-salary/, sql);
    }
  } finally {
    await direct.end();
  }
  const c = await mysql.createConnection({ ...vigilOptions(f()), multipleStatements: true });
  try {
    for (const sql of UNPARSED_READS) {
      await assert.rejects(c.query(sql), (e: { errno: number; message: string }) => {
        assert.equal(e.errno, 1142, sql);
        assert.match(e.message, /denied by rule no-payroll-reads/, sql);
        return true;
      });
    }
    // The same shapes over another table are unknown statements this connection allows.
    await c.query('SELECT * FROM log USE INDEX ()');
  } finally {
    c.destroy();
  }
});

test('HANDLER, CHECKSUM TABLE and ANALYZE TABLE of a table a rule keeps from being read are refused where unknown statements are allowed', {
  skip,
}, async () => {
  const c = await mysql.createConnection(vigilOptions(f()));
  try {
    for (const sql of [
      'HANDLER payroll OPEN',
      'HANDLER payroll OPEN AS h',
      'CHECKSUM TABLE payroll EXTENDED',
      'ANALYZE TABLE payroll PERSISTENT FOR ALL',
    ]) {
      await assert.rejects(c.query(sql), (e: { errno: number; message: string }) => {
        assert.equal(e.errno, 1142, sql);
        assert.match(e.message, /denied by rule no-payroll-reads/, sql);
        return true;
      });
    }
    // Never opened, the handler has no rows to read.
    await assert.rejects(c.query('HANDLER payroll READ FIRST'), /denied by rule no-payroll-reads/);
    await assert.rejects(
      c.query('HANDLER h READ FIRST'),
      (e: { message: string }) => !e.message.includes('secret'),
    );
    // On another table, each is an unknown statement this connection allows.
    await c.query('HANDLER log OPEN');
    assert.deepEqual(await c.query('HANDLER log READ FIRST').then(([rows]) => rows), []);
    await c.query('HANDLER log CLOSE');
  } finally {
    // Closed on failure too, or the gateway would wait for it at the end of the file.
    c.destroy();
  }
});

test('a trigger on a table a rule keeps from being read is refused, even where unknown statements are allowed', {
  skip,
}, async () => {
  const c = await mysql.createConnection(vigilOptions(f()));
  try {
    for (const sql of [
      'CREATE TRIGGER tr AFTER INSERT ON payroll FOR EACH ROW INSERT INTO log VALUES (NEW.salary)',
      'CREATE DEFINER = CURRENT_USER TRIGGER IF NOT EXISTS tr BEFORE UPDATE ON `payroll` FOR EACH ROW SET @seen = OLD.salary',
      'CREATE TRIGGER tr BEFORE UPDATE ON payroll FOR EACH ROW SET NEW.salary = NEW.salary',
    ]) {
      await assert.rejects(c.query(sql), (e: { errno: number; message: string }) => {
        assert.equal(e.errno, 1142, sql);
        assert.match(e.message, /denied by rule no-payroll-reads/, sql);
        return true;
      });
    }
    // A trigger on another table is an unknown statement this connection allows.
    await c.query('CREATE TRIGGER tr_log BEFORE INSERT ON log FOR EACH ROW SET @last = NEW.v');
  } finally {
    // Closed on failure too, or the gateway would wait for it at the end of the file.
    c.destroy();
  }
  const admin = await adminConnection(f().server, f().database);
  try {
    const [triggers] = (await admin.query('show triggers')) as unknown as [{ Trigger: string }[]];
    assert.deepEqual(
      triggers.map((t) => t.Trigger),
      ['tr_log'],
    );
  } finally {
    await admin.end();
  }
});
