// Statements that differ only in their integers, as pgbench and applications that inline their keys
// send them, through the gateway to a real PostgreSQL: the masker reads such a statement's bound
// values once per shape (sql-shape-cache.ts) and moves them for each text. A secret column's
// integer of another length than the first text's must still be masked exactly, and the keys
// around it kept as sent; none of the secrets may reach the data directory.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startPostgresLeakGateway, statementsOf } from './database-gateways.js';
import { leaksIn } from './logged-gateway.js';

/** Secret integers of different lengths, so each text's spans move from the first one's. */
const PINS = ['48213977', '930172651', '6620481', '71', '5550193847261'];

test('PostgreSQL: a secret column’s integers are masked in every text of one shape', {
  timeout: 120_000,
}, async () => {
  const db = await startPostgresLeakGateway(
    'vigil_leak_sql_integer_shapes',
    'CREATE TABLE accounts (aid int PRIMARY KEY, abalance int, pin bigint); ' +
      'INSERT INTO accounts SELECT g, 0, 0 FROM generate_series(1, 2000) g',
  );
  try {
    const client = await db.connect();
    for (const [i, pin] of PINS.entries()) {
      const aid = 3 ** (i + 1);
      await client.query(
        `UPDATE accounts SET abalance = abalance + -${i * 31}, pin = ${pin} WHERE aid = ${aid}`,
      );
      const { rows } = await client.query(
        `SELECT abalance FROM accounts WHERE pin = ${pin} AND aid = ${aid}`,
      );
      assert.equal(rows.length, 1);
    }
    await client.end();
    const statements = await statementsOf(db.gateway, 'pg');
    const masked = '\\[MASKED:secret-column:[0-9a-f]{6}\\]';
    for (const [i] of PINS.entries()) {
      const aid = 3 ** (i + 1);
      const update = new RegExp(
        `^UPDATE accounts SET abalance = abalance \\+ -${i * 31}, pin = ${masked} WHERE aid = ${aid}$`,
      );
      const select = new RegExp(`^SELECT abalance FROM accounts WHERE pin = ${masked} AND aid = ${aid}$`);
      assert.ok(
        statements.some((s) => update.test(s)),
        `${update}\n${statements.join('\n')}`,
      );
      assert.ok(
        statements.some((s) => select.test(s)),
        `${select}\n${statements.join('\n')}`,
      );
    }
    await db.gateway.close();
    assert.deepEqual(leaksIn(db.dataDir, PINS.slice(0, 3)), []);
  } finally {
    await db.close();
  }
});
