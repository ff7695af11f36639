// Tables hidden in a parenthesized join group. node-sql-parser's table list leaves out every table
// of `JOIN (a JOIN b ON ...)` or `JOIN (a, b)`, so until 7 December `DELETE c FROM t a JOIN (t b
// JOIN payroll c ON 1) ON 1` was judged as a DELETE of t alone while MariaDB emptied payroll, and
// `SELECT ... JOIN (t b, payroll c)` as a read of t. Through the gateway, against a real MariaDB.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import mysql from 'mysql2/promise';
import { adminConnection } from '../support/mariadb-server.js';
import { mysqlEvents, mysqlFixtureForFile, vigilOptions } from './mysql-gateway.js';

const { skip, f } = mysqlFixtureForFile('vigil_attack_join_groups', {
  settings: {
    policy: {
      rules: [
        {
          name: 'no-payroll-writes',
          match: { connections: ['my'], statement_kinds: ['DELETE', 'UPDATE'], tables: ['payroll'] },
          action: 'deny',
        },
        {
          name: 'no-payroll-reads',
          match: { connections: ['my'], statement_kinds: ['SELECT'], tables: ['payroll'] },
          action: 'deny',
        },
      ],
    },
  },
  prepare: [
    "create table payroll (id int, salary text); insert into payroll values (1, 'secret-salary')",
    'create table t (id int, v text); insert into t values (1, null)',
  ],
});

test('a table inside a parenthesized join group is judged like any other table of the statement', {
  skip,
}, async () => {
  const c = await mysql.createConnection(vigilOptions(f()));
  for (const [sql, rule] of [
    ['SELECT c.salary FROM t a JOIN (t b, payroll c) ON 1', /no-payroll-reads/],
    ['SELECT c.salary FROM t a LEFT JOIN (t b JOIN payroll c ON 1) ON 1', /no-payroll-reads/],
    ['INSERT INTO t SELECT 2, c.salary FROM t a JOIN (t b JOIN payroll c ON 1) ON 1', /no-payroll-reads/],
    ['DELETE c FROM t a JOIN (t b JOIN payroll c ON 1) ON 1', /no-payroll-writes/],
    ["UPDATE t a JOIN (t b JOIN payroll c ON 1) ON 1 SET c.salary = 'changed'", /no-payroll-writes/],
  ] as const) {
    await assert.rejects(c.query(sql), (e: { errno: number; message: string }) => {
      assert.equal(e.errno, 1142, sql);
      assert.match(e.message, rule, sql);
      return true;
    });
  }
  // A join group of tables no rule names still runs.
  const [rows] = (await c.query('SELECT a.id FROM t a JOIN (t b JOIN t x ON 1) ON 1')) as unknown as [
    { id: number }[],
  ];
  assert.deepEqual(rows, [{ id: 1 }]);
  await c.end();

  const admin = await adminConnection(f().server, f().database);
  try {
    const [payroll] = (await admin.query('select salary from payroll')) as unknown as [{ salary: string }[]];
    const [t] = (await admin.query('select count(*) as n from t')) as unknown as [{ n: number }[]];
    assert.deepEqual([payroll.map((r) => r.salary), Number(t[0]!.n)], [['secret-salary'], 1]);
  } finally {
    await admin.end();
  }
  // The record names the hidden table.
  const deleted = (await mysqlEvents(f())).find(
    (e) => e.type === 'db.query' && String(e.payload?.statement).startsWith('DELETE c FROM'),
  );
  const entries = (deleted?.payload?.classification as { statements?: { kind: string; tables: string[] }[] })
    ?.statements;
  assert.ok(entries?.[0]?.tables.includes('payroll'), JSON.stringify(entries));
});
