// Passwords of words that reached the record in clear until 6 December through a relation an earlier
// statement of the same connection made or changed: a view or table made from a select list that
// renames the column (`CREATE TEMP VIEW v AS SELECT password AS p …`, `CREATE TABLE … AS`, `SELECT …
// INTO TEMP t`, MySQL's `CREATE TEMPORARY TABLE t SELECT …`), a table filled from one (`INSERT INTO t
// SELECT id, password …`, MySQL's multi-table UPDATE), a column given a password (`UPDATE users SET
// name = password RETURNING name`), a renamed column or view (`ALTER TABLE … RENAME COLUMN password
// TO hint`, MySQL's `CHANGE`), a statement prepared in SQL (`PREPARE s AS SELECT password AS p …`
// then `EXECUTE s`), a function whose body reads the column (`SELECT * FROM f()`, `SELECT g()`).
// Each later statement names nothing secret (`SELECT p FROM v`). Sent
// through the gateway to the real servers with their official clients (the extended protocol and
// MySQL's prepared statements too); each shape is named when it reaches the data directory.
// Ordinary tables beside them stay readable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mariadbUnavailable } from '../support/mariadb-server.js';
import { recordedOf, startMariadbLeakGateway, startPostgresLeakGateway } from './database-gateways.js';
import { leakedNames } from './logged-gateway.js';

const WITHHELD = '(withheld: derived from a secret column)';

const PG = {
  tempView: 'sunny beetle parade',
  tableAs: 'crisp oyster lantern',
  selectInto: 'drowsy cactus violin',
  insertSelect: 'jolly fennel harbor',
  updateCopy: 'tawny raven biscuit',
  renamedColumn: 'misty pebble trombone',
  renamedView: 'brisk tundra marble',
  viewOfView: 'amber mitten glacier',
  executed: 'spry nutmeg caravan',
  tableFunction: 'hushed walnut kazoo',
  scalarFunction: 'plaid osprey noodle',
};
const MY = {
  tempTable: 'dapper lentil comet',
  view: 'shiny walnut oboe',
  insertSelect: 'plucky heron saffron',
  joinedUpdate: 'woolly cedar tango',
  changedColumn: 'gentle quiver bonfire',
};

test('PostgreSQL: views, tables and columns made from a password earlier in the session are withheld', {
  timeout: 120_000,
}, async () => {
  const db = await startPostgresLeakGateway(
    'vigil_leak_sql_dec6_relations',
    `CREATE TABLE users (id int, name text, password text);
     CREATE TABLE accounts (id int, password text);
     CREATE TABLE products (id int, name text, note text);
     INSERT INTO users VALUES (1, 'ann', '${PG.tempView}'), (2, 'bob', '${PG.tableAs}'),
       (3, 'cy', '${PG.selectInto}'), (4, 'di', '${PG.insertSelect}'), (5, 'ed', '${PG.updateCopy}'),
       (7, 'gus', '${PG.renamedView}'), (8, 'hal', '${PG.viewOfView}'), (9, 'ivy', '${PG.executed}'),
       (10, 'jo', '${PG.tableFunction}'), (11, 'kai', '${PG.scalarFunction}');
     INSERT INTO accounts VALUES (6, '${PG.renamedColumn}');
     INSERT INTO products VALUES (1, 'lamp', 'blue')`,
  );
  try {
    const client = await db.connect();
    await client.query('CREATE TEMP VIEW v AS SELECT id, password AS p FROM users WHERE id = 1');
    const view = await client.query('SELECT p FROM v');
    // The client gets the values; only the record withholds them.
    assert.deepEqual(view.rows, [{ p: PG.tempView }]);
    await client.query('CREATE TEMP TABLE t1 AS SELECT id, password AS p FROM users WHERE id = 2');
    await client.query('SELECT * FROM t1');
    await client.query('SELECT id, password AS q INTO TEMP t2 FROM users WHERE id = 3');
    await client.query({ text: 'SELECT q FROM t2 WHERE id = $1', values: [3] });
    await client.query('CREATE TEMP TABLE t3 (id int, note text)');
    await client.query('INSERT INTO t3 SELECT id, password FROM users WHERE id = 4');
    await client.query('SELECT note FROM t3');
    await client.query('UPDATE users SET name = password WHERE id = 5 RETURNING name');
    await client.query('SELECT name FROM users WHERE id = 5');
    await client.query('ALTER TABLE accounts RENAME COLUMN password TO hint');
    await client.query('SELECT hint FROM accounts');
    await client.query('CREATE TEMP VIEW w1 AS SELECT password AS x FROM users WHERE id = 7');
    await client.query('ALTER VIEW w1 RENAME TO w2');
    await client.query('SELECT x FROM w2');
    await client.query('CREATE TEMP VIEW w3 AS SELECT password AS x FROM users WHERE id = 8');
    await client.query('CREATE TEMP VIEW w4 AS SELECT x AS y FROM w3');
    await client.query('SELECT y FROM w4');
    await client.query('PREPARE s AS SELECT password AS p FROM users WHERE id = 9');
    await client.query('EXECUTE s');
    await client.query(
      'CREATE FUNCTION f() RETURNS TABLE(q text) AS $$ SELECT password FROM users WHERE id = 10 $$ LANGUAGE sql',
    );
    await client.query('SELECT * FROM f()');
    await client.query(
      "CREATE FUNCTION g() RETURNS text AS 'SELECT password FROM users WHERE id = 11' LANGUAGE sql",
    );
    await client.query('SELECT g()');
    // Ordinary: a table the session did not make from a secret.
    await client.query('SELECT id, name, note FROM products');
    await client.end();
    const results = await recordedOf(db.gateway, 'pg', 'db.result');
    await db.gateway.close();
    assert.deepEqual(leakedNames(db.dataDir, PG), []);
    assert.ok(
      results.some((r) => r.includes('"lamp"') && r.includes('"blue"')),
      results.join('\n'),
    );
    assert.ok(results.filter((r) => r.includes(WITHHELD)).length >= 11, results.join('\n'));
  } finally {
    await db.close();
  }
});

test('MySQL: temporary tables, views, copies and changed columns made from a password are withheld', {
  timeout: 180_000,
  skip: mariadbUnavailable() ?? false,
}, async () => {
  const db = await startMariadbLeakGateway(
    'vigil_leak_sql_dec6_relations',
    'CREATE TABLE `vigil_leak_sql_dec6_relations`.users (id int, name text, password text); ' +
      'CREATE TABLE `vigil_leak_sql_dec6_relations`.accounts (id int, password text); ' +
      'CREATE TABLE `vigil_leak_sql_dec6_relations`.notes (id int, note text); ' +
      `INSERT INTO \`vigil_leak_sql_dec6_relations\`.users VALUES (1, 'ann', '${MY.tempTable}'), ` +
      `(2, 'bob', '${MY.view}'), (3, 'cy', '${MY.insertSelect}'), (4, 'di', '${MY.joinedUpdate}'); ` +
      `INSERT INTO \`vigil_leak_sql_dec6_relations\`.accounts VALUES (5, '${MY.changedColumn}'); ` +
      "INSERT INTO `vigil_leak_sql_dec6_relations`.notes VALUES (4, 'plain')",
  );
  try {
    const c = await db.connect();
    await c.query('CREATE TEMPORARY TABLE t1 SELECT id, password AS p FROM users WHERE id = 1');
    const [rows] = await c.query('SELECT p FROM t1');
    assert.deepEqual(rows, [{ p: MY.tempTable }]);
    await c.query('CREATE VIEW v AS SELECT id, password AS p FROM users WHERE id = 2');
    await c.execute('SELECT * FROM v WHERE id = ?', [2]);
    await c.query('CREATE TEMPORARY TABLE t2 (id int, note text)');
    await c.query('INSERT INTO t2 SELECT id, password FROM users WHERE id = 3');
    await c.query('SELECT note FROM t2');
    await c.query('UPDATE notes n JOIN users u ON n.id = u.id SET n.note = u.password WHERE u.id = 4');
    await c.query('SELECT note FROM notes');
    await c.query('ALTER TABLE accounts CHANGE password hint text');
    await c.query('SELECT hint FROM accounts');
    await c.end();
    const results = await recordedOf(db.gateway, 'my', 'db.result');
    await db.gateway.close();
    assert.deepEqual(leakedNames(db.dataDir, MY), []);
    assert.ok(results.filter((r) => r.includes(WITHHELD)).length >= 5, results.join('\n'));
  } finally {
    await db.close();
  }
});
