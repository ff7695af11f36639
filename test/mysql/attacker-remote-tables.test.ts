// A FEDERATED table reads another table through a connection string: `CREATE TABLE f (…)
// ENGINE=FEDERATED CONNECTION='mysql://…/db/payroll'` names only `f`, so Bob, whom a rule denies
// reading payroll, made one and read the salaries through it. Now such a CREATE (and a SET making
// such an engine the session's default) is recorded as reading every table, which the rule holds;
// installing the engine through Vigil is refused, as a statement it cannot read. Against a real
// MariaDB server with the FEDERATEDX engine its administrator installed, with mysql2.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import mysql from 'mysql2/promise';
import { TOKENS } from '../support/gateway.js';
import {
  mysqlEvents,
  mysqlFixtureForFile,
  UPSTREAM_PASSWORD,
  UPSTREAM_USER,
  vigilOptions,
} from './mysql-gateway.js';

const { skip, f } = mysqlFixtureForFile('vigil_attack_remote_tables', {
  settings: {
    policy: {
      rules: [
        {
          name: 'no-payroll-reads',
          match: { principals: ['group:contractors'], statement_kinds: ['SELECT'], tables: ['payroll'] },
          action: 'deny',
        },
      ],
    },
  },
  prepare: [
    "INSTALL SONAME 'ha_federatedx'",
    'create table payroll (id int primary key, salary varchar(40))',
    "insert into payroll values (1, 'salary-991122')",
  ],
});

/** The connection string of a FEDERATED table over payroll, as the upstream user. */
const overPayroll = () =>
  `mysql://${UPSTREAM_USER}:${UPSTREAM_PASSWORD}@${f().server.host}:${f().server.port}/${f().database}/payroll`;

test('a FEDERATED table over a denied table is a read of every table; installing an engine is refused', {
  skip,
}, async () => {
  const bob = await mysql.createConnection(vigilOptions(f(), TOKENS.bob));
  const alice = await mysql.createConnection(vigilOptions(f(), TOKENS.alice));
  try {
    await assert.rejects(bob.query('SELECT salary FROM payroll'), { errno: 1142 });
    for (const sql of [
      `CREATE TABLE f (id int, salary varchar(40)) ENGINE=FEDERATED CONNECTION='${overPayroll()}'`,
      `CREATE TABLE f2 (id int, salary varchar(40)) engine federated connection '${overPayroll()}'`,
      // An engine made the default lets a later CREATE TABLE name none.
      'SET default_storage_engine = FEDERATED',
      'SET SESSION default_storage_engine = @e',
    ]) {
      await assert.rejects(
        bob.query(sql),
        (e: { errno: number; message: string }) => {
          assert.equal(e.errno, 1142, sql);
          assert.match(e.message, /no-payroll-reads/, sql);
          return true;
        },
        sql,
      );
    }
    await assert.rejects(bob.query('SELECT * FROM f'), { errno: 1146 });
    // Engines are installed on the server by its administrator: Vigil cannot read INSTALL.
    await assert.rejects(bob.query("INSTALL SONAME 'ha_connect'"), /does not parse/);
    // Bob's ordinary tables and settings go on.
    await bob.query('CREATE TABLE mine (id int) ENGINE=InnoDB');
    await bob.query("SET default_storage_engine = 'InnoDB'");

    // Alice is under no rule: her FEDERATED table works, recorded as reading every table.
    await alice.query(
      `CREATE TABLE af (id int, salary varchar(40)) ENGINE=FEDERATED CONNECTION='${overPayroll()}'`,
    );
    const [rows] = (await alice.query('SELECT salary FROM af')) as unknown as [{ salary: string }[]];
    assert.deepEqual(
      rows.map((r) => r.salary),
      ['salary-991122'],
    );
  } finally {
    await bob.end();
    await alice.end();
  }
  const created = (await mysqlEvents(f())).find(
    (e) => e.type === 'db.query' && /CREATE TABLE af/.test(String(e.payload?.statement)),
  );
  assert.ok(created, 'the CREATE of af is recorded');
  const classification = created.payload?.classification as
    | { statements: { tables: string[]; flags: string[] }[] }
    | undefined;
  const statements = classification?.statements ?? [];
  assert.ok(
    statements.some((s) => s.flags.includes('reaches_other_tables') && s.tables.includes('"(every table)"')),
  );
});
