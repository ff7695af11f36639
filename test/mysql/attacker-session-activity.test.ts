// Every identity of a MySQL connection logs in upstream as one server user, so the server's views
// of its sessions (information_schema.PROCESSLIST, SHOW PROCESSLIST, performance_schema, sys, SHOW
// ENGINE INNODB STATUS, ...) showed one identity another's running statement, literals included.
// Now such a read is refused unless the connection sets allow_session_activity, and where it is set
// it counts as reading every table, so a rule on reading payroll holds it. Two identities through
// the gateway, against a real MariaDB server.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mysql from 'mysql2/promise';
import { TOKENS } from '../support/gateway.js';
import { adminConnection, mariadbUnavailable } from '../support/mariadb-server.js';
import { type MysqlFixture, mysqlEvents, startMysqlFixture, vigilOptions } from './mysql-gateway.js';

const skip = mariadbUnavailable() ?? false;
let fixture: MysqlFixture | undefined;
const f = () => fixture!;
const SECRET = 'hunter2-activity-secret';

before(async () => {
  if (skip) return;
  fixture = await startMysqlFixture(
    'vigil_attack_activity',
    {},
    {
      policy: {
        rules: [
          {
            name: 'no-payroll-reads-open',
            match: {
              connections: ['open'],
              principals: ['group:contractors'],
              statement_kinds: ['SELECT'],
              tables: ['payroll'],
            },
            action: 'deny',
          },
        ],
      },
    },
    // A connection that allows session activity, with a rule on bob's (contractors') reads of payroll.
    [{ name: 'open', allow_session_activity: true }],
  );
  const admin = await adminConnection(fixture.server, fixture.database);
  try {
    await admin.query('create table payroll (id int primary key, salary varchar(40))');
  } finally {
    await admin.end();
  }
});
after(async () => {
  if (fixture) await fixture.close();
});

/** Audrey runs a statement holding SECRET for a while on `connection`; resolves once it is running. */
async function audreyRunning(connection: string): Promise<{ end: () => Promise<void> }> {
  const audrey = await mysql.createConnection(vigilOptions(f(), TOKENS.audrey, connection));
  const done = audrey.query(`SELECT SLEEP(4) AS z, '${SECRET}' AS pw`).catch(() => undefined);
  const admin = await adminConnection(f().server);
  try {
    for (let i = 0; i < 50; i++) {
      const [rows] = (await admin.query(
        `select count(*) as n from information_schema.processlist where info like '%${SECRET}%' and info not like '%processlist%'`,
      )) as unknown as [{ n: number }[]];
      if (Number(rows[0]!.n) > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await admin.end();
  }
  return {
    end: async () => {
      await done;
      await audrey.end();
    },
  };
}

const READS = [
  'SHOW PROCESSLIST',
  'SHOW FULL PROCESSLIST',
  'SELECT id, info FROM information_schema.PROCESSLIST',
  'SELECT info FROM `INFORMATION_SCHEMA`.`processlist` WHERE id <> CONNECTION_ID()',
  'SELECT * FROM (SELECT info FROM information_schema.processlist) p',
  'SELECT processlist_info FROM performance_schema.threads',
  'SELECT sql_text FROM performance_schema.events_statements_current',
  'SELECT sql_text FROM performance_schema.events_statements_history_long',
  'SELECT digest_text FROM performance_schema.events_statements_summary_by_digest',
  'SELECT variable_value FROM performance_schema.user_variables_by_thread',
  'SELECT * FROM sys.processlist',
  'SELECT * FROM sys.`x$session`',
  'SELECT query FROM sys.statement_analysis',
  'SELECT trx_query FROM information_schema.INNODB_TRX',
  'SELECT argument FROM mysql.general_log',
  'SHOW ENGINE INNODB STATUS',
  'SHOW EXPLAIN FOR 1',
];

test("one identity cannot read another identity's running statement through the server's session views", {
  skip,
}, async () => {
  const audrey = await audreyRunning('my');
  const alice = await mysql.createConnection(vigilOptions(f(), TOKENS.alice));
  try {
    for (const sql of READS) {
      await assert.rejects(
        alice.query(sql),
        (e: { errno: number; message: string }) => {
          assert.equal(e.errno, 1142, sql);
          assert.match(e.message, /other sessions' statements.*allow_session_activity/, sql);
          return true;
        },
        sql,
      );
    }
    // A prepared statement is judged the same way at its EXECUTE.
    await assert.rejects(alice.execute('SELECT info FROM information_schema.processlist WHERE id > ?', [0]), {
      errno: 1142,
    });
    // In the schema itself, an unqualified name is the view too.
    await alice.query('USE information_schema');
    await assert.rejects(alice.query('SELECT info FROM processlist'), { errno: 1142 });
    await alice.query(`USE ${f().database}`);
    // Other reads go on.
    await alice.query('SELECT 1');
    await alice.query('SHOW TABLES');
  } finally {
    await alice.end();
    await audrey.end();
  }
  const refused = (await mysqlEvents(f())).filter(
    (e) => e.type === 'db.query' && /processlist/i.test(String(e.payload?.statement)),
  );
  assert.ok(refused.length > 0);
  for (const e of refused) {
    const classification = e.payload?.classification as
      | { statements: { tables: string[]; flags: string[] }[] }
      | undefined;
    const statements = classification?.statements ?? [];
    assert.ok(
      statements.some(
        (s) => s.flags.includes('reads_other_sessions') && s.tables.includes('"(every table)"'),
      ),
      String(e.payload?.statement),
    );
  }
});

test("where session activity is allowed, it shows other identities' statements, and is a read of every table for rules", {
  skip,
}, async () => {
  const audrey = await audreyRunning('open');
  const alice = await mysql.createConnection(vigilOptions(f(), TOKENS.alice, 'open'));
  const bob = await mysql.createConnection(vigilOptions(f(), TOKENS.bob, 'open'));
  try {
    // Allowed and under no rule: Alice sees Audrey's statement, literal and all.
    const [rows] = (await alice.query('SHOW FULL PROCESSLIST')) as unknown as [{ Info: string | null }[]];
    assert.ok(rows.some((r) => r.Info?.includes(SECRET)));
    // Bob is under a rule on reading payroll: every view of other sessions reads it too.
    for (const sql of READS) {
      await assert.rejects(
        bob.query(sql),
        (e: { errno: number; message: string }) => {
          assert.equal(e.errno, 1142, sql);
          assert.match(e.message, /no-payroll-reads-open/, sql);
          return true;
        },
        sql,
      );
    }
    await bob.query('SELECT 1');
  } finally {
    await alice.end();
    await bob.end();
    await audrey.end();
  }
});
