// A secret-named setting or variable read back: PostgreSQL's `current_setting('my.api_key')`
// (answered under a column named `current_setting`) and `SHOW my.api_key`, and MySQL's user
// variables (`SELECT @api_key`). The statement that set the value is masked
// (sql-secret-clauses.test.ts); the value the server answers with must not be recorded in clear
// either. (A custom setting is not listed in `pg_settings`.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mariadbUnavailable } from '../support/mariadb-server.js';
import { recordedOf, startMariadbLeakGateway, startPostgresLeakGateway } from './database-gateways.js';
import { leaksIn } from './logged-gateway.js';

const SETTING = 'tidal amber lantern';
const VARIABLE = 'hollow birch signal';

test('PostgreSQL: a secret-named setting read back by function or SHOW is not recorded', {
  timeout: 120_000,
}, async () => {
  const db = await startPostgresLeakGateway('vigil_leak_settings_read_back');
  try {
    const client = await db.connect();
    client.on('error', () => undefined);
    await client.query(`SET my.api_key TO '${SETTING}'`);
    const reads = [
      "SELECT current_setting('my.api_key')",
      "SELECT current_setting('my.api_key', true) AS k",
      "SELECT concat(current_setting('my.' || 'api_key'))",
      'SHOW my.api_key',
    ];
    for (const sql of reads) {
      const r = await client.query(sql);
      // The client reads the value; only the record withholds it.
      assert.ok(JSON.stringify(r.rows).includes(SETTING), sql);
    }
    await client.end();
    const results = await recordedOf(db.gateway, 'pg', 'db.result');
    assert.ok(results.length >= reads.length, results.join('\n').slice(0, 2000));
    await db.gateway.close();
    assert.deepEqual(leaksIn(db.dataDir, [SETTING]), []);
  } finally {
    await db.close();
  }
});

test('MySQL: a secret-named user variable read back is not recorded', { timeout: 120_000 }, async (t) => {
  const why = await mariadbUnavailable();
  if (why) {
    t.skip(why);
    return;
  }
  const db = await startMariadbLeakGateway('vigil_leak_variables_read_back');
  try {
    const client = await db.connect();
    await client.query(`SET @api_key = '${VARIABLE}'`);
    const reads = ['SELECT @api_key', 'SELECT @api_key AS k', 'SELECT concat(@api_key) AS c'];
    for (const sql of reads) {
      const [rows] = await client.query(sql);
      assert.ok(JSON.stringify(rows).includes(VARIABLE), sql);
    }
    await client.end();
    await db.gateway.close();
    assert.deepEqual(leaksIn(db.dataDir, [VARIABLE]), []);
  } finally {
    await db.close();
  }
});
