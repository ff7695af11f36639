// MariaDB's sequences are tables, and its sequence functions read or move one without naming it
// where a table stands: node-sql-parser takes `NEXTVAL(s)`'s argument for a column, so `SELECT
// SETVAL(payroll_seq, 1)` was a SELECT of no table past a rule on writing or reading payroll_seq.
// Now each is recorded as a nested read of the sequence and, for NEXTVAL, SETVAL and NEXT VALUE
// FOR, a nested write of its row. Through the gateway, against a real MariaDB server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import mysql from 'mysql2/promise';
import { adminConnection } from '../support/mariadb-server.js';
import { mysqlFixtureForFile, vigilOptions } from './mysql-gateway.js';

const rule = (name: string, kinds: string[]) => ({
  name,
  match: { connections: ['my'], statement_kinds: kinds, tables: ['payroll_seq'] },
  action: 'deny',
});

const { skip, f } = mysqlFixtureForFile('vigil_attack_sequences', {
  // Unknown statements allowed, so that `NEXT VALUE FOR` is judged by its words.
  connection: { allow_unknown_statements: true },
  settings: { policy: { rules: [rule('no-seq-writes', ['UPDATE']), rule('no-seq-reads', ['SELECT'])] } },
  prepare: ['create sequence payroll_seq start with 100', 'create table t (id int, v text)'],
});

async function nextValue(): Promise<number> {
  const admin = await adminConnection(f().server, f().database);
  try {
    // NEXTVAL itself moves the sequence: read what the last value reserved is instead.
    const [rows] = (await admin.query('select next_not_cached_value as n from payroll_seq')) as unknown as [
      { n: number }[],
    ];
    return Number(rows[0]!.n);
  } finally {
    await admin.end();
  }
}

test('a rule on a sequence holds its functions: NEXTVAL, SETVAL, LASTVAL, NEXT and PREVIOUS VALUE FOR', {
  skip,
}, async () => {
  const before = await nextValue();
  const c = await mysql.createConnection(vigilOptions(f()));
  try {
    for (const [sql, rule] of [
      ['SELECT NEXTVAL(payroll_seq)', 'no-seq-'],
      ['SELECT SETVAL(payroll_seq, 1000000)', 'no-seq-'],
      ['SELECT SETVAL(`payroll_seq`, 1000000, 0)', 'no-seq-'],
      [`SELECT SETVAL(${f().database}.payroll_seq, 1000000)`, 'no-seq-'],
      ['SELECT LASTVAL(payroll_seq)', 'no-seq-reads'],
      ['SELECT NEXT VALUE FOR payroll_seq', 'no-seq-'],
      ['SELECT PREVIOUS VALUE FOR payroll_seq', 'no-seq-reads'],
      ['INSERT INTO t VALUES (NEXT VALUE FOR payroll_seq, NULL)', 'no-seq-'],
      ['UPDATE t SET id = NEXTVAL(payroll_seq) WHERE id = 1', 'no-seq-'],
    ] as const) {
      await assert.rejects(
        c.query(sql),
        (e: { errno: number; message: string }) => {
          assert.equal(e.errno, 1142, sql);
          assert.match(e.message, new RegExp(`denied by rule ${rule}`), sql);
          return true;
        },
        sql,
      );
    }
    await c.query('SELECT * FROM t');
  } finally {
    c.destroy();
  }
  assert.equal(await nextValue(), before, 'the sequence did not move');
});
