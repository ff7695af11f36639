// Passwords of words that reached the record in clear until 6 December through a set operation
// inside a CTE or a subquery whose first branch reads `*` (or `TABLE`): the result takes the first
// table's column names, so the passwords came back under `note` (`WITH x AS (SELECT * FROM products
// UNION ALL SELECT * FROM users) SELECT * FROM x`, `SELECT s.note FROM (SELECT * FROM products UNION
// SELECT id, name, password FROM users) s`), also through a prepared statement; and through a whole
// row of a subquery turned into JSON, whose keys are the names the subquery gives
// (`row_to_json(s) FROM (SELECT password AS p …) s`, `to_json(s) FROM (SELECT concat(password) …) s`).
// Sent through the gateway to the real servers with their official clients; each shape is named
// when it reaches the data directory. Ordinary SQL beside them stays readable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mariadbUnavailable } from '../support/mariadb-server.js';
import { recordedOf, startMariadbLeakGateway, startPostgresLeakGateway } from './database-gateways.js';
import { leakedNames } from './logged-gateway.js';

const WITHHELD = '(withheld: derived from a secret column)';

const PG = {
  cteStars: 'quartz mango lullaby',
  subqueryBranch: 'nimble walrus pepper',
  tableBranches: 'cinder plume octave',
  preparedCte: 'gusty lemon tapestry',
  rowJson: 'maple cricket fountain',
  concatJson: 'pewter kettle sonnet',
  lateralJson: 'rosy anvil meadowlark',
};
const MY = {
  subqueryStars: 'briny tulip compass',
  cteBranch: 'hollow ember quokka',
  preparedStars: 'velvet prism gondola',
};

test('PostgreSQL: star unions inside a CTE or a subquery and JSON of renamed rows are withheld', {
  timeout: 120_000,
}, async () => {
  const db = await startPostgresLeakGateway(
    'vigil_leak_sql_dec6_nested',
    `CREATE TABLE users (id int, name text, password text);
     CREATE TABLE products (id int, name text, note text);
     CREATE TABLE tree (id int, parent int, name text);
     INSERT INTO users VALUES (1, 'ann', '${PG.cteStars}'), (2, 'bob', '${PG.subqueryBranch}'),
       (3, 'cy', '${PG.tableBranches}'), (4, 'di', '${PG.preparedCte}'), (5, 'ed', '${PG.rowJson}'),
       (6, 'flo', '${PG.concatJson}'), (7, 'gus', '${PG.lateralJson}');
     INSERT INTO products VALUES (1, 'lamp', 'blue'), (2, 'desk', 'oak');
     INSERT INTO tree VALUES (1, NULL, 'root'), (2, 1, 'leaf')`,
  );
  try {
    const client = await db.connect();
    const cte = await client.query(
      'WITH x AS (SELECT * FROM products UNION ALL SELECT * FROM users WHERE id = 1) SELECT * FROM x',
    );
    // The client gets the values; only the record withholds them.
    assert.ok(JSON.stringify(cte.rows).includes(PG.cteStars));
    await client.query(
      'SELECT s.note FROM (SELECT * FROM products UNION SELECT id, name, password FROM users WHERE id = 2) s',
    );
    await client.query('SELECT * FROM (TABLE products UNION ALL TABLE users) s WHERE s.id = 3');
    await client.query(
      'WITH x AS (SELECT * FROM products UNION ALL SELECT * FROM users WHERE id = $1) SELECT name, note FROM x',
      [4],
    );
    await client.query('SELECT row_to_json(s) FROM (SELECT id, password AS p FROM users WHERE id = 5) s');
    await client.query('SELECT to_json(s) FROM (SELECT concat(password) FROM users WHERE id = 6) s');
    await client.query(
      'SELECT json_agg(x) FROM users u, LATERAL (SELECT u.password AS secret_word) x WHERE u.id = 7',
    );
    // Ordinary: branches of one table, a recursive CTE over a tree, a base table's row as JSON.
    await client.query(
      'SELECT * FROM (SELECT * FROM products WHERE id = 1 UNION SELECT * FROM products WHERE id = 2) s',
    );
    await client.query(
      'WITH RECURSIVE r AS (SELECT * FROM tree WHERE id = 1 UNION ALL SELECT t.* FROM tree t JOIN r ON t.parent = r.id) SELECT * FROM r',
    );
    await client.query('SELECT row_to_json(p) FROM products p WHERE id = 1');
    await client.end();
    const results = await recordedOf(db.gateway, 'pg', 'db.result');
    await db.gateway.close();
    assert.deepEqual(leakedNames(db.dataDir, PG), []);
    assert.ok(
      results.some((r) => r.includes('"lamp"') && r.includes('"desk"')),
      results.join('\n'),
    );
    assert.ok(
      results.some((r) => r.includes('"root"') && r.includes('"leaf"')),
      results.join('\n'),
    );
    assert.ok(
      results.some((r) => r.includes('\\"note\\":\\"blue\\"')),
      results.join('\n'),
    );
    assert.ok(results.filter((r) => r.includes(WITHHELD)).length >= 7, results.join('\n'));
  } finally {
    await db.close();
  }
});

test('MySQL: star unions inside a CTE or a derived table are withheld, also as a prepared statement', {
  timeout: 180_000,
  skip: mariadbUnavailable() ?? false,
}, async () => {
  const db = await startMariadbLeakGateway(
    'vigil_leak_sql_dec6_nested',
    'CREATE TABLE `vigil_leak_sql_dec6_nested`.users (id int, name text, password text); ' +
      'CREATE TABLE `vigil_leak_sql_dec6_nested`.products (id int, name text, note text); ' +
      `INSERT INTO \`vigil_leak_sql_dec6_nested\`.users VALUES (1, 'ann', '${MY.subqueryStars}'), ` +
      `(2, 'bob', '${MY.cteBranch}'), (3, 'cy', '${MY.preparedStars}'); ` +
      "INSERT INTO `vigil_leak_sql_dec6_nested`.products VALUES (1, 'lamp', 'blue'), (2, 'desk', 'oak')",
  );
  try {
    const c = await db.connect();
    const [rows] = await c.query(
      'SELECT * FROM (SELECT * FROM products UNION ALL SELECT * FROM users WHERE id = 1) s',
    );
    assert.ok(JSON.stringify(rows).includes(MY.subqueryStars));
    await c.query(
      'WITH x AS (SELECT * FROM products UNION ALL SELECT id, name, password FROM users WHERE id = 2) SELECT note FROM x',
    );
    await c.execute(
      'SELECT * FROM (SELECT * FROM products UNION ALL SELECT * FROM users WHERE id = ?) s',
      [3],
    );
    await c.query(
      'SELECT * FROM (SELECT * FROM products WHERE id = 1 UNION SELECT * FROM products WHERE id = 2) s',
    );
    await c.end();
    const results = await recordedOf(db.gateway, 'my', 'db.result');
    await db.gateway.close();
    assert.deepEqual(leakedNames(db.dataDir, MY), []);
    assert.ok(
      results.some((r) => r.includes('"lamp"') && r.includes('"desk"')),
      results.join('\n'),
    );
    assert.ok(results.filter((r) => r.includes(WITHHELD)).length >= 3, results.join('\n'));
  } finally {
    await db.close();
  }
});
