// Passwords of words given to a secret column in shapes the SQL masking did not follow until 6
// December, sent through the gateway to the real servers with their official clients: a value
// beside the column in a comparing call (`STRCMP(password, '…') = 0`, `strpos`), a value compared
// with a list or a subquery naming it (`'…' IN (password, name)`, `(SELECT password …) = '…'`,
// `= ANY (SELECT password …)`), a VALUES list's default column names (`SELECT column1, column2 FROM
// (VALUES …) v`), a derived SELECT's aliases (`FROM (SELECT '…' AS p) s`), an INSERT's `SELECT *`
// from VALUES; and result rows that answered a password under a name that says nothing: a VALUES
// statement's subquery, and a `*` in a later branch of a UNION. Each was recorded as typed, and each
// is named when it reaches the data directory. A number compared with a measure of the column
// (`length(password) > 8`) stays readable (it was masked).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mariadbUnavailable } from '../support/mariadb-server.js';
import {
  recordedOf,
  startMariadbLeakGateway,
  startPostgresLeakGateway,
  statementsOf,
} from './database-gateways.js';
import { leakedNames } from './logged-gateway.js';

const WITHHELD = '(withheld: derived from a secret column)';

const PG = {
  inList: 'tranquil walrus sipping lemonade',
  valuesDefault: 'velvet canyon murmur',
  derivedSelect: 'brass lantern orchard',
  strpos: 'mellow thistle beacon',
  subqueryWhole: 'gusty pebble sonata',
  insertStar: 'woolen ferry daybreak',
  storedValues: 'quiet heron tapestry',
  storedUnion: 'amber fjord carousel',
};
const MY = {
  strcmp: 'tranquil walrus dozing quietly',
  inList: 'saffron kite meadow',
  derivedJoin: 'copper willow ember',
  anySubquery: 'drowsy maple trumpet',
  storedUnion: 'hollow cedar lullaby',
};

test('PostgreSQL: comparing calls, lists, VALUES default names and derived SELECTs are masked; results withheld', {
  timeout: 120_000,
}, async () => {
  const db = await startPostgresLeakGateway(
    'vigil_leak_sql_evening',
    `CREATE TABLE users (id int, name text, password text);
     CREATE TABLE products (id int, name text, note text);
     INSERT INTO users VALUES (1, 'ann', '${PG.storedValues}'), (9, 'zed', '${PG.storedUnion}');
     INSERT INTO products VALUES (1, 'lamp', 'blue')`,
  );
  try {
    const client = await db.connect();
    await client.query(`SELECT name FROM users WHERE '${PG.inList}' IN (password, name)`);
    await client.query(`SELECT name FROM users WHERE strpos(password, '${PG.strpos}') > 0`);
    await client.query(
      `INSERT INTO users(id, name, password) SELECT column1, column2, column3 FROM (VALUES (2, 'bob', '${PG.valuesDefault}')) v`,
    );
    await client.query(
      `INSERT INTO users(id, name, password) SELECT i, n, p FROM (SELECT 3 AS i, 'cy' AS n, '${PG.derivedSelect}' AS p) s`,
    );
    await client.query(
      `SELECT name FROM users WHERE (SELECT password FROM users WHERE id = 1) = '${PG.subqueryWhole}'`,
    );
    await client.query(
      `INSERT INTO users(id, name, password) SELECT * FROM (VALUES (4, 'dee', '${PG.insertStar}')) v`,
    );
    await client.query('SELECT name FROM users WHERE length(password) > 8');
    const values = await client.query('VALUES ((SELECT password FROM users WHERE id = 1))');
    const union = await client.query(
      'SELECT id, name, note FROM products UNION ALL SELECT * FROM users WHERE id = 9',
    );
    // The client gets the values; only the record withholds them.
    assert.equal(values.rows[0]?.column1, PG.storedValues);
    assert.ok(JSON.stringify(union.rows).includes(PG.storedUnion));
    const { rows } = await client.query(
      'SELECT name FROM users WHERE password = $1 OR password = $2 OR password = $3 ORDER BY id',
      [PG.valuesDefault, PG.derivedSelect, PG.insertStar],
    );
    assert.deepEqual(
      rows.map((r: { name: string }) => r.name),
      ['bob', 'cy', 'dee'],
    );
    await client.end();
    const statements = await statementsOf(db.gateway, 'pg');
    const results = await recordedOf(db.gateway, 'pg', 'db.result');
    await db.gateway.close();
    assert.deepEqual(leakedNames(db.dataDir, PG), []);
    // The measure's number and the rows beside the secrets stay readable.
    assert.ok(
      statements.includes('SELECT name FROM users WHERE length(password) > 8'),
      statements.join('\n'),
    );
    assert.ok(
      statements.some((s) => s.includes("(VALUES (2, 'bob', '[MASKED:secret-column:")),
      statements.join('\n'),
    );
    assert.ok(results.filter((r) => r.includes(WITHHELD)).length >= 2, results.join('\n'));
  } finally {
    await db.close();
  }
});

test('MySQL: STRCMP, lists, derived SELECTs and a star in a UNION branch are masked or withheld', {
  timeout: 180_000,
  skip: mariadbUnavailable() ?? false,
}, async () => {
  const db = await startMariadbLeakGateway(
    'vigil_leak_sql_evening',
    'CREATE TABLE `vigil_leak_sql_evening`.users (id int, name text, password text); ' +
      'CREATE TABLE `vigil_leak_sql_evening`.products (id int, name text, note text); ' +
      `INSERT INTO \`vigil_leak_sql_evening\`.users VALUES (1, 'ann', 'x'), (9, 'zed', '${MY.storedUnion}'); ` +
      "INSERT INTO `vigil_leak_sql_evening`.products VALUES (1, 'lamp', 'blue')",
  );
  try {
    const c = await db.connect();
    await c.query(`SELECT * FROM users WHERE STRCMP(password, '${MY.strcmp}') = 0`);
    await c.query(`SELECT name FROM users WHERE '${MY.inList}' IN (password, name)`);
    await c.query(`SELECT name FROM users WHERE '${MY.anySubquery}' = ANY (SELECT password FROM users)`);
    await c.query(
      `UPDATE users u JOIN (SELECT 'ann' AS n, '${MY.derivedJoin}' AS p) v ON u.name = v.n SET u.password = v.p`,
    );
    const [union] = await c.query(
      'SELECT id, name, note FROM products UNION ALL SELECT * FROM users WHERE id = 9',
    );
    assert.ok(JSON.stringify(union).includes(MY.storedUnion));
    const [rows] = await c.query('SELECT password FROM users WHERE id = 1');
    assert.deepEqual(rows, [{ password: MY.derivedJoin }]);
    await c.end();
    const statements = await statementsOf(db.gateway, 'my');
    const results = await recordedOf(db.gateway, 'my', 'db.result');
    await db.gateway.close();
    assert.deepEqual(leakedNames(db.dataDir, MY), []);
    // STRCMP's answer, compared with 0, stays readable.
    assert.ok(
      statements.some((s) => s.includes("STRCMP(password, '[MASKED:secret-column:") && s.endsWith(') = 0')),
      statements.join('\n'),
    );
    assert.ok(
      results.some((r) => r.includes(WITHHELD)),
      results.join('\n'),
    );
  } finally {
    await db.close();
  }
});
