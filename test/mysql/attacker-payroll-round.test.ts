// Crafted texts against rules on reading and writing payroll, where unknown statements are allowed
// (so each is judged by what Vigil reads of it, not refused as unreadable): HANDLER, INTO OUTFILE,
// copies and views, triggers and events, JSON_TABLE, recursive WITH, window functions, SET
// STATEMENT … FOR, XA, several statements in one text, a prepared statement whose table is
// replaced after its PREPARE, and the character sets that hide a quote behind a backslash byte.
// Every one is refused, and the server shows none of them ran. Through the gateway, against a
// real MariaDB server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import mysql from 'mysql2/promise';
import { statementOutcomes } from '../support/statement-outcomes.js';
import { mysqlFixtureForFile, rowCount, tableExists, vigilOptions } from './mysql-gateway.js';

const { skip, f } = mysqlFixtureForFile('vigil_attack_payroll_round', {
  connection: { allow_unknown_statements: true },
  settings: {
    policy: {
      rules: [
        {
          name: 'no-payroll',
          match: {
            connections: ['my'],
            statement_kinds: [
              'SELECT',
              'INSERT',
              'UPDATE',
              'DELETE',
              'LOAD',
              'ALTER',
              'CREATE',
              'RENAME',
              'UNKNOWN',
            ],
            tables: ['payroll'],
          },
          action: 'deny',
        },
      ],
    },
  },
  prepare: [
    "create table payroll (id int primary key, salary varchar(40)); insert into payroll values (1, 'secret-salary-round')",
    'create table t (id int, v varchar(200))',
  ],
});

const DENIED = /denied by rule no-payroll/;
const PINNED = /vigil: .*(character set|setting)/i;

const ATTACKS: readonly [string, RegExp][] = [
  ['HANDLER payroll OPEN', DENIED],
  ['HANDLER payroll OPEN AS h', DENIED],
  ['HANDLER /*!payroll*/ OPEN', DENIED],
  ["SELECT * FROM payroll INTO OUTFILE '/tmp/vigil-round-out'", DENIED],
  ["SELECT salary INTO DUMPFILE '/tmp/vigil-round-dump' FROM payroll", DENIED],
  ['CREATE TABLE c1 AS SELECT * FROM payroll', DENIED],
  ['CREATE OR REPLACE TABLE c2 AS SELECT * FROM payroll', DENIED],
  ['CREATE TABLE c3 LIKE payroll', DENIED],
  ['CREATE TABLE c4 (id int) SELECT salary FROM payroll', DENIED],
  ['CREATE VIEW v1 AS SELECT * FROM payroll', DENIED],
  ['CREATE OR REPLACE ALGORITHM=MERGE SQL SECURITY DEFINER VIEW v2 AS SELECT * FROM payroll', DENIED],
  [
    'CREATE TRIGGER tr1 BEFORE INSERT ON t FOR EACH ROW SET NEW.v = (SELECT salary FROM payroll LIMIT 1)',
    DENIED,
  ],
  [
    'CREATE TRIGGER tr2 AFTER UPDATE ON payroll FOR EACH ROW INSERT INTO t VALUES (NEW.id, NEW.salary)',
    DENIED,
  ],
  [
    'CREATE EVENT e1 ON SCHEDULE AT CURRENT_TIMESTAMP DO INSERT INTO t SELECT id, salary FROM payroll',
    DENIED,
  ],
  [
    "SELECT * FROM JSON_TABLE((SELECT JSON_ARRAYAGG(salary) FROM payroll), '$[*]' COLUMNS (s varchar(40) PATH '$')) j",
    DENIED,
  ],
  ['WITH RECURSIVE r AS (SELECT salary FROM payroll) SELECT * FROM r', DENIED],
  [
    'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 2) SELECT * FROM r, payroll',
    DENIED,
  ],
  ['SELECT SUM(1) OVER w FROM t WINDOW w AS (ORDER BY (SELECT salary FROM payroll LIMIT 1))', DENIED],
  ['SET STATEMENT max_statement_time = 10 FOR SELECT * FROM payroll', DENIED],
  ['SELECT 1; SELECT * FROM payroll', DENIED],
  ["UPDATE payroll SET salary = 'x' WHERE id = 1", DENIED],
  ['DELETE FROM payroll WHERE id = 1', DENIED],
  ["INSERT INTO payroll VALUES (2, 'x')", DENIED],
  ["REPLACE INTO payroll VALUES (1, 'x')", DENIED],
  ['INSERT INTO t SELECT * FROM payroll', DENIED],
  ['RENAME TABLE payroll TO t2', DENIED],
  ['ALTER TABLE payroll RENAME TO t2', DENIED],
  ['SET NAMES sjis', PINNED],
  ['SET NAMES gbk', PINNED],
  ['SET character_set_client = gbk', PINNED],
  ['SET @@session.character_set_client = big5', PINNED],
  ['SET STATEMENT character_set_client = gbk FOR SELECT 1', PINNED],
];

test('crafted texts against rules on payroll are refused, and none runs', { skip }, async () => {
  const c = await mysql.createConnection({ ...vigilOptions(f()), multipleStatements: true });
  try {
    const outcomes = await statementOutcomes(
      (sql) => c.query(sql),
      ATTACKS.map(([sql]) => sql),
    );
    const wrong = ATTACKS.flatMap(([sql, expected], i) =>
      outcomes[i] !== null && expected.test(outcomes[i]!) ? [] : [`${sql} => ${outcomes[i]}`],
    );
    assert.deepEqual(wrong, []);
    // XA is a transaction, no table: it runs, and a read of payroll inside it is refused.
    await c.query("XA START 'vigil-round'");
    await assert.rejects(c.query('SELECT * FROM payroll'), DENIED);
    await c.query("XA END 'vigil-round'");
    await c.query("XA ROLLBACK 'vigil-round'");
  } finally {
    c.destroy();
  }
  for (const table of ['c1', 'c2', 'c3', 'c4', 'v1', 'v2', 't2'])
    assert.equal(await tableExists(f(), table), false, table);
  assert.equal(await rowCount(f(), 't'), 0);
  assert.equal(await rowCount(f(), 'payroll'), 1);
});

test('a prepared statement keeps its text: replacing its table after PREPARE reads payroll only through refused statements', {
  skip,
}, async () => {
  const c = await mysql.createConnection(vigilOptions(f()));
  try {
    const [before] = (await c.execute('SELECT * FROM t WHERE id > ?', [0])) as unknown as [unknown[]];
    assert.equal(before.length, 0);
    for (const sql of [
      'RENAME TABLE t TO t_old, payroll TO t',
      'ALTER TABLE payroll RENAME TO t',
      'CREATE OR REPLACE VIEW t AS SELECT * FROM payroll',
    ])
      await assert.rejects(c.query(sql), DENIED, sql);
    const [after] = (await c.execute('SELECT * FROM t WHERE id > ?', [0])) as unknown as [unknown[]];
    assert.equal(after.length, 0);
  } finally {
    c.destroy();
  }
});
