// Passwords of words that reached the record in clear until 6 December because a MySQL statement's
// result columns were read as PostgreSQL reads strings: `SELECT '\'', password AS p FROM users -- '`
// is, to MySQL, a one-character string and then `password AS p` (to PostgreSQL, two strings), and
// `#'` starts a MySQL comment where PostgreSQL starts a string; so the renamed column `p` was not
// seen, nor a user variable or a temporary table given the password behind such a string. Sent
// through the gateway to the real MariaDB with mysql2; each shape is named when it reaches the data
// directory. A statement with ordinary quoted strings stays readable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mariadbUnavailable } from '../support/mariadb-server.js';
import { recordedOf, startMariadbLeakGateway } from './database-gateways.js';
import { leakedNames } from './logged-gateway.js';

const WITHHELD = '(withheld: derived from a secret column)';

const MY = {
  backslashQuote: 'frilly otter sundae',
  hashComment: 'mossy kiwi trumpet',
  doubleQuoted: 'sable cricket waffle',
  variable: 'tepid magnet orchard',
  tempTable: 'vivid pollen gazebo',
};

test('MySQL: a renamed password behind what PostgreSQL would read as a string is withheld', {
  timeout: 180_000,
  skip: mariadbUnavailable() ?? false,
}, async () => {
  const db = await startMariadbLeakGateway(
    'vigil_leak_sql_dec6_readings',
    'CREATE TABLE `vigil_leak_sql_dec6_readings`.users (id int, name text, password text); ' +
      `INSERT INTO \`vigil_leak_sql_dec6_readings\`.users VALUES (1, 'ann', '${MY.backslashQuote}'), ` +
      `(2, 'bob', '${MY.hashComment}'), (3, 'cy', '${MY.doubleQuoted}'), (4, 'di', '${MY.variable}'), ` +
      `(5, 'ed', '${MY.tempTable}')`,
  );
  try {
    const c = await db.connect();
    const [rows] = await c.query("SELECT '\\'', password AS p FROM users WHERE id = 1 -- '");
    // The client gets the values; only the record withholds them.
    assert.ok(JSON.stringify(rows).includes(MY.backslashQuote));
    await c.query("SELECT 1, #'\n password AS p FROM users WHERE id = 2 -- '");
    await c.query('SELECT "a\\"", password AS p FROM users WHERE id = 3 -- "');
    await c.query("SELECT '\\'', password INTO @u, @v FROM users WHERE id = 4 -- '");
    await c.query('SELECT @v');
    await c.query("CREATE TEMPORARY TABLE t SELECT '\\'', password AS p FROM users WHERE id = 5 -- '");
    await c.query('SELECT p FROM t');
    // Ordinary: strings with a backslash and a quote, read alike by the server and the record.
    await c.query("SELECT 'O\\'Brien' AS who, name FROM users WHERE id = 1");
    await c.end();
    const results = await recordedOf(db.gateway, 'my', 'db.result');
    await db.gateway.close();
    assert.deepEqual(leakedNames(db.dataDir, MY), []);
    assert.ok(
      results.some((r) => r.includes("O'Brien") && r.includes('"ann"')),
      results.join('\n'),
    );
    assert.ok(results.filter((r) => r.includes(WITHHELD)).length >= 5, results.join('\n'));
  } finally {
    await db.close();
  }
});
