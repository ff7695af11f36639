// Passwords of words in SQL shapes the masking did not follow until 6 December, sent through the
// gateway to the real servers with their official clients: a set operation whose branches read `*`
// from different tables (the result answers the passwords under the first table's names), a literal
// under the first branch's password (`… INTERSECT SELECT 'ann', '…'`), a value
// beside the column in `greatest`/`least`, a VALUES or derived SELECT value given to the column
// through a function (`SET password = upper(v.p)`), MariaDB's VALUES columns named after their
// first row's values (`SET u.password = t.\`…\``), and a name the statement gives the column
// (`(SELECT password AS p …) s WHERE p = '…'`, a CTE's column list, a view created in the same
// text). Each was recorded as typed (`literalCopy`, an INSERT's SELECT of literals, already was
// masked and is kept as a guard), and each is named when it reaches the data directory. Ordinary
// SQL beside them stays readable.
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
  storedUnion: 'lilac harbor pinwheel',
  greatest: 'sleepy otter compass',
  least: 'granite moth ballad',
  upperValues: 'crimson badger teapot',
  insertUpper: 'velvet sparrow anchor',
  derivedAlias: 'frosty quill meadow',
  cteColumns: 'dusty comet marmalade',
  viewSameText: 'olive turtle lantern',
  literalCopy: 'amber glacier whistle',
  intersect: 'hazel vapor accordion',
};
const MY = {
  storedUnion: 'mossy barrel trumpet',
  greatest: 'rusty heron skylight',
  derivedUpper: 'pebble orchid canyon',
  derivedAlias: 'linen falcon saucer',
  valuesNamed: 'tidal mitten violin',
  insertNamed: 'saffron cobble drizzle',
  unionLiteral: 'cobalt pickle gazebo',
};

test('PostgreSQL: star unions, greatest/least, values through functions and renamed columns are masked', {
  timeout: 120_000,
}, async () => {
  const db = await startPostgresLeakGateway(
    'vigil_leak_sql_night',
    `CREATE TABLE users (id int, name text, password text);
     CREATE TABLE products (id int, name text, note text);
     INSERT INTO users VALUES (1, 'ann', 'x'), (9, 'zed', '${PG.storedUnion}');
     INSERT INTO products VALUES (1, 'lamp', 'blue'), (2, 'desk', 'oak')`,
  );
  try {
    const client = await db.connect();
    const union = await client.query(
      'SELECT * FROM products WHERE id = 1 UNION ALL SELECT * FROM users WHERE id = 9',
    );
    // The client gets the values; only the record withholds them.
    assert.ok(JSON.stringify(union.rows).includes(PG.storedUnion));
    // Branches of one table answer each column under its own name: kept.
    await client.query('SELECT * FROM products WHERE id = 1 UNION SELECT * FROM products WHERE id = 2');
    // A literal under the first branch's password: compared with it.
    await client.query(`SELECT name, password FROM users INTERSECT SELECT 'ann', '${PG.intersect}'`);
    await client.query(`SELECT name FROM users WHERE greatest(password, '${PG.greatest}') = password`);
    await client.query(`SELECT least(password, '${PG.least}') FROM users WHERE id = 1`);
    await client.query(
      `UPDATE users SET password = upper(v.p) FROM (VALUES ('ann', '${PG.upperValues}')) v(n, p) WHERE users.name = v.n`,
    );
    await client.query(
      `INSERT INTO users(id, name, password) SELECT i, n, md5(p) FROM (VALUES (5, 'eve', '${PG.insertUpper}')) v(i, n, p)`,
    );
    await client.query(
      `SELECT name FROM (SELECT name, password AS p FROM users) s WHERE p = '${PG.derivedAlias}'`,
    );
    await client.query(
      `WITH s(n, x) AS (SELECT name, password FROM users) SELECT n FROM s WHERE x = '${PG.cteColumns}'`,
    );
    await client.query(
      `CREATE VIEW v AS SELECT name, password AS p FROM users; SELECT name FROM v WHERE p = '${PG.viewSameText}'`,
    );
    await client.query(`INSERT INTO users(name, password) SELECT 'x', '${PG.literalCopy}'`);
    // A measure of a renamed column keeps its number.
    await client.query('SELECT name FROM (SELECT name, length(password) AS n FROM users) s WHERE n > 8');
    const { rows } = await client.query('SELECT password FROM users WHERE id = 1');
    assert.deepEqual(rows, [{ password: PG.upperValues.toUpperCase() }]);
    await client.end();
    const statements = await statementsOf(db.gateway, 'pg');
    const results = await recordedOf(db.gateway, 'pg', 'db.result');
    await db.gateway.close();
    assert.deepEqual(leakedNames(db.dataDir, PG), []);
    assert.ok(
      statements.includes('SELECT name FROM (SELECT name, length(password) AS n FROM users) s WHERE n > 8'),
      statements.join('\n'),
    );
    assert.ok(
      statements.some((s) => s.includes("FROM (VALUES ('ann', '[MASKED:secret-column:")),
      statements.join('\n'),
    );
    assert.ok(
      results.some((r) => r.includes('"lamp"') && r.includes('"desk"')),
      results.join('\n'),
    );
    assert.ok(results.filter((r) => r.includes(WITHHELD)).length >= 2, results.join('\n'));
  } finally {
    await db.close();
  }
});

test('MySQL: star unions, GREATEST, VALUES named by their values, UPPER of a derived SELECT and an alias are masked', {
  timeout: 180_000,
  skip: mariadbUnavailable() ?? false,
}, async () => {
  const db = await startMariadbLeakGateway(
    'vigil_leak_sql_night',
    'CREATE TABLE `vigil_leak_sql_night`.users (id int, name text, password text); ' +
      'CREATE TABLE `vigil_leak_sql_night`.products (id int, name text, note text); ' +
      `INSERT INTO \`vigil_leak_sql_night\`.users VALUES (1, 'ann', 'x'), (9, 'zed', '${MY.storedUnion}'); ` +
      "INSERT INTO `vigil_leak_sql_night`.products VALUES (1, 'lamp', 'blue')",
  );
  try {
    const c = await db.connect();
    const [union] = await c.query(
      'SELECT * FROM products WHERE id = 1 UNION ALL SELECT * FROM users WHERE id = 9',
    );
    assert.ok(JSON.stringify(union).includes(MY.storedUnion));
    await c.query(`SELECT name FROM users WHERE GREATEST(password, '${MY.greatest}') = password`);
    await c.query(`SELECT id, password FROM users WHERE id = 1 UNION SELECT 0, '${MY.unionLiteral}'`);
    // MariaDB names a VALUES table's columns after its first row's values.
    await c.query(
      `UPDATE users u JOIN (VALUES ('ann', '${MY.valuesNamed}')) t ON u.name = t.ann SET u.password = t.\`${MY.valuesNamed}\``,
    );
    await c.query(
      `INSERT INTO users (id, name, password) SELECT 3, cy, \`${MY.insertNamed}\` FROM (VALUES ('cy', '${MY.insertNamed}')) t`,
    );
    await c.query(
      `UPDATE users u JOIN (SELECT 'ann' AS n, '${MY.derivedUpper}' AS p) v ON u.name = v.n SET u.password = UPPER(v.p)`,
    );
    await c.query(
      `SELECT name FROM (SELECT name, password AS p FROM users) s WHERE p = '${MY.derivedAlias}'`,
    );
    const [rows] = await c.query('SELECT id, password FROM users WHERE id IN (1, 3) ORDER BY id');
    assert.deepEqual(rows, [
      { id: 1, password: MY.derivedUpper.toUpperCase() },
      { id: 3, password: MY.insertNamed },
    ]);
    await c.end();
    const results = await recordedOf(db.gateway, 'my', 'db.result');
    await db.gateway.close();
    assert.deepEqual(leakedNames(db.dataDir, MY), []);
    assert.ok(
      results.some((r) => r.includes(WITHHELD)),
      results.join('\n'),
    );
  } finally {
    await db.close();
  }
});
