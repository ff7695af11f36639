// Statements that show a table's rows without returning them, as a way around a rule on reading
// it: a failed conversion in a write's WHERE quotes the value (`Truncated incorrect DOUBLE value:
// 'secret-salary'`), affected-row counts answer the WHERE or whether a key exists, ALTER TABLE
// quotes the value it cannot convert, and a rename moves the rows under a name the rule does not
// hold. Through the gateway, against a real MariaDB server in strict mode.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import mysql from 'mysql2/promise';
import type { StatementFacts } from '../../src/core/db-payloads.js';
import { adminConnection } from '../support/mariadb-server.js';
import {
  directOptions,
  mysqlEvents,
  mysqlFixtureForFile,
  tableExists,
  vigilOptions,
} from './mysql-gateway.js';
import { NO_PAYROLL_READS } from './payroll-read-rule.js';

const { skip, f } = mysqlFixtureForFile('vigil_attack_exposed', {
  settings: NO_PAYROLL_READS,
  prepare: [
    "create table payroll (id int primary key, salary text, note text); insert into payroll values (1, 'secret-salary', 'n')",
    'create table t (id int, v text); insert into t values (1, null)',
  ],
});

/** Each shows a salary (or whether a row exists) when run directly; each is refused through Vigil. */
const EXPOSING = [
  'UPDATE payroll SET note = note WHERE salary + 0 > 0',
  "UPDATE payroll SET note = note WHERE salary LIKE 'secret%'",
  'DELETE FROM payroll WHERE salary + 0 > 0',
  'DELETE p FROM payroll p JOIN t ON t.id = p.id WHERE p.salary + 0 > 0',
  'UPDATE payroll p, t SET t.v = 1 WHERE p.salary + 0 > 0',
  "INSERT IGNORE INTO payroll VALUES (1, 'x', 'y')",
  'INSERT INTO payroll (id) VALUES (1) ON DUPLICATE KEY UPDATE note = salary + 0',
  "REPLACE INTO payroll VALUES (1, 'x', 'y')",
  'ALTER TABLE payroll MODIFY salary INT',
  'ALTER TABLE payroll RENAME TO payroll_moved',
  'RENAME TABLE payroll TO payroll_moved',
];

test('directly, these statements show payroll rows without returning them (the leak Vigil guards)', {
  skip,
}, async () => {
  const c = await mysql.createConnection(directOptions(f()));
  try {
    await c.query('START TRANSACTION');
    await assert.rejects(c.query(EXPOSING[0]!), /Truncated incorrect DOUBLE value: 'secret-salary'/);
    await assert.rejects(c.query(EXPOSING[6]!), /Truncated incorrect DOUBLE value: 'secret-salary'/);
    const [matched] = (await c.query(EXPOSING[1]!)) as unknown as [{ info: string }];
    assert.match(matched.info, /Rows matched: 1/);
    const [ignored] = (await c.query(EXPOSING[5]!)) as unknown as [{ affectedRows: number }];
    assert.equal(ignored.affectedRows, 0, 'a row with key 1 exists');
    await c.query('ROLLBACK');
    // Statements the parser cannot read (attacker-exposed-unknown.test.ts) show them as well.
    await c.query('HANDLER payroll OPEN');
    const [handled] = (await c.query('HANDLER payroll READ FIRST')) as unknown as [{ salary: string }[]];
    assert.equal(handled[0]?.salary, 'secret-salary');
    await c.query('HANDLER payroll CLOSE');
  } finally {
    await c.end();
  }
});

test('a rule on reading payroll refuses the statements that show its rows without returning them', {
  skip,
}, async () => {
  const c = await mysql.createConnection(vigilOptions(f()));
  try {
    for (const sql of EXPOSING) {
      await assert.rejects(c.query(sql), (e: { errno: number; message: string }) => {
        assert.equal(e.errno, 1142, sql);
        assert.match(e.message, /denied by rule no-payroll-reads/, sql);
        return true;
      });
      // The refused statement never ran, so its warnings are not there to be shown either.
      const [warnings] = (await c.query('SHOW WARNINGS')) as unknown as [{ Message: string }[]];
      assert.ok(!warnings.some((w) => w.Message.includes('secret')), sql);
    }
    await assert.rejects(c.execute(EXPOSING[0]!), /denied by rule no-payroll-reads/);
    // Writes that show nothing of payroll's rows still pass: a plain INSERT quotes only its own values.
    await c.query("INSERT INTO payroll VALUES (2, 'new', 'n')");
    await c.query('UPDATE t SET v = 2 WHERE id = 1');
  } finally {
    // Closed on failure too, or the gateway would wait for it at the end of the file.
    c.destroy();
  }
  assert.equal(await tableExists(f(), 'payroll_moved'), false);
  const admin = await adminConnection(f().server, f().database);
  try {
    const [rows] = (await admin.query('select id, salary, note from payroll order by id')) as unknown as [
      { id: number; salary: string; note: string }[],
    ];
    assert.deepEqual(
      rows.map((r) => [r.id, r.salary, r.note]),
      [
        [1, 'secret-salary', 'n'],
        [2, 'new', 'n'],
      ],
    );
  } finally {
    await admin.end();
  }
  const events = await mysqlEvents(f());
  const event = events.find((e) => e.type === 'db.query' && e.payload?.statement === EXPOSING[0]);
  const statements = (event?.payload?.classification as { statements: StatementFacts[] } | undefined)
    ?.statements;
  assert.deepEqual(
    statements?.map((s) => [s.kind, s.nested, s.tables]),
    [
      ['UPDATE', false, ['payroll']],
      ['SELECT', true, ['payroll']],
    ],
  );
});
