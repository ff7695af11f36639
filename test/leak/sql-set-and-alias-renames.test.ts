// A secret column's values answered under a name that says nothing, without an alias beside them:
// a set operation's later branch (`SELECT name FROM products UNION SELECT password FROM users`, the
// classic exfiltration, answers the passwords under `name`), an alias column list (`WITH s(p) AS
// (SELECT password …)`, `FROM (SELECT password FROM users) s(x)`, `FROM users t(i, n, p)`) and a
// star over a subquery that renames one (`SELECT * FROM (SELECT password AS x …) s`). Sent through
// the gateway to the real servers: recorded in clear until 6 December.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mariadbUnavailable } from '../support/mariadb-server.js';
import { recordedOf, startMariadbLeakGateway, startPostgresLeakGateway } from './database-gateways.js';
import { leaksIn } from './logged-gateway.js';

const PASSWORD = 'orchid lantern basalt';
const WITHHELD = '(withheld: derived from a secret column)';

const READS = [
  'SELECT name FROM products WHERE id = 1 UNION SELECT password FROM users',
  'SELECT id, name FROM products UNION ALL SELECT id, password FROM users',
  'SELECT * FROM (SELECT password AS x FROM users) s',
  'SELECT * FROM (SELECT name FROM products UNION SELECT password FROM users) s',
];
const PG_READS = [
  'WITH s(p) AS (SELECT password FROM users) SELECT * FROM s',
  'SELECT x FROM (SELECT password FROM users) AS s(x)',
  'SELECT * FROM users AS t(i, n, p)',
];

test('PostgreSQL: secrets answered through set operations and alias column lists are withheld', {
  timeout: 120_000,
}, async () => {
  const db = await startPostgresLeakGateway(
    'vigil_leak_sql_set_renames',
    `CREATE TABLE users (id int, name text, password text); INSERT INTO users VALUES (1, 'ann', '${PASSWORD}');
     CREATE TABLE products (id int, name text); INSERT INTO products VALUES (1, 'kettle')`,
  );
  try {
    const client = await db.connect();
    client.on('error', () => undefined);
    for (const sql of [...READS, ...PG_READS]) {
      const r = await client.query(sql);
      // The client reads the values; only the record withholds them.
      assert.ok(JSON.stringify(r.rows).includes(PASSWORD), sql);
    }
    // Nothing secret: kept.
    const plain = await client.query('SELECT name FROM products UNION SELECT name FROM users');
    assert.equal(plain.rows.length, 2);
    await client.end();
    const results = await recordedOf(db.gateway, 'pg', 'db.result');
    const recorded = results.join('\n').slice(0, 6000);
    assert.ok(
      results.some((r) => r.includes(`"rows":[["${WITHHELD}"],["${WITHHELD}"]]`)),
      recorded,
    );
    assert.ok(
      results.some((r) => r.includes('"kettle"') && r.includes('"ann"')),
      recorded,
    );
    await db.gateway.close();
    assert.deepEqual(leaksIn(db.dataDir, [PASSWORD]), []);
  } finally {
    await db.close();
  }
});

test('MySQL: secrets answered through set operations and derived tables are withheld', {
  timeout: 120_000,
}, async (t) => {
  const why = await mariadbUnavailable();
  if (why) {
    t.skip(why);
    return;
  }
  const db = await startMariadbLeakGateway(
    'vigil_leak_sql_set_renames',
    `CREATE TABLE vigil_leak_sql_set_renames.users (id int, name text, password text);
     INSERT INTO vigil_leak_sql_set_renames.users VALUES (1, 'ann', '${PASSWORD}');
     CREATE TABLE vigil_leak_sql_set_renames.products (id int, name text);
     INSERT INTO vigil_leak_sql_set_renames.products VALUES (1, 'kettle');`,
  );
  try {
    const client = await db.connect();
    for (const sql of READS) {
      const [rows] = await client.query(sql);
      assert.ok(JSON.stringify(rows).includes(PASSWORD), sql);
    }
    await client.end();
    const results = await recordedOf(db.gateway, 'my', 'db.result');
    assert.ok(
      results.some((r) => r.includes(`"rows":[["${WITHHELD}"],["${WITHHELD}"]]`)),
      results.join('\n').slice(0, 6000),
    );
    await db.gateway.close();
    assert.deepEqual(leaksIn(db.dataDir, [PASSWORD]), []);
  } finally {
    await db.close();
  }
});
