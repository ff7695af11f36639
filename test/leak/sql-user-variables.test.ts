// A password given to a MySQL user variable in one statement and read in another: `SELECT password
// INTO @v FROM users`, `SET @w = (SELECT password …)`, `SELECT @z := password …`, then `SELECT @v`,
// whose result names the column `@v`. Through the gateway to the real MariaDB with mysql2: the
// password must reach neither the data directory nor the log (it was recorded in clear until
// 6 December), and a variable given a plain value keeps it in the record.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mariadbUnavailable } from '../support/mariadb-server.js';
import { recordedOf, startMariadbLeakGateway } from './database-gateways.js';
import { leaksIn } from './logged-gateway.js';

const PASSWORD = 'velvet otter compass';
const WITHHELD = '(withheld: derived from a secret column)';

test('MySQL: a password read back through a user variable is withheld', { timeout: 120_000 }, async (t) => {
  const why = await mariadbUnavailable();
  if (why) {
    t.skip(why);
    return;
  }
  const db = await startMariadbLeakGateway(
    'vigil_leak_user_variables',
    `CREATE TABLE vigil_leak_user_variables.users (id int, name text, password text);
     INSERT INTO vigil_leak_user_variables.users VALUES (1, 'ann', '${PASSWORD}');`,
  );
  try {
    const client = await db.connect();
    await client.query('SELECT password INTO @v FROM users LIMIT 1');
    await client.query('SET @w = (SELECT password FROM users LIMIT 1)');
    await client.query('SELECT @z := password FROM users LIMIT 1');
    await client.query('SET @n = (SELECT name FROM users LIMIT 1)');
    for (const sql of ['SELECT @v', 'SELECT @w AS x', 'SELECT concat(@z) AS c', 'SELECT @v, @n']) {
      const [rows] = await client.query(sql);
      // The client reads the value; only the record withholds it.
      assert.ok(JSON.stringify(rows).includes(PASSWORD), sql);
    }
    const [plain] = await client.query('SELECT @n AS n');
    assert.deepEqual(plain, [{ n: 'ann' }]);
    await client.end();
    const results = await recordedOf(db.gateway, 'my', 'db.result');
    const recorded = results.join('\n').slice(0, 6000);
    assert.ok(
      results.some((r) => r.includes(`[["${WITHHELD}","ann"]]`)),
      recorded,
    );
    assert.ok(
      results.some((r) => r.includes('[["ann"]]')),
      recorded,
    );
    await db.gateway.close();
    assert.deepEqual(leaksIn(db.dataDir, [PASSWORD]), []);
  } finally {
    await db.close();
  }
});
