// Shapes an attacker sent on 6 December to have a password of words recorded in clear, near those
// the SQL readers of that day handle: set-operation branches wrapped in parentheses (around a
// result, IN's subquery, an INSERT's SELECT), a branch after VALUES or TABLE, a function in FROM
// given an alias, a subquery of TABLE renamed, `'' || password` (read as an alias), a row compared
// or assigned a subquery, MERGE's INSERT and COLLATE before a comparison. Sent through the gateway
// to the real servers with the official clients: each was recorded in clear before the fix.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mariadbUnavailable } from '../support/mariadb-server.js';
import { recordedOf, startMariadbLeakGateway, startPostgresLeakGateway } from './database-gateways.js';
import { leaksIn } from './logged-gateway.js';

const PASSWORD = 'amber falcon river';
const WITHHELD = '(withheld: derived from a secret column)';

/** Reads that answer the password under a name that says nothing. */
const PG_READS = [
  '((SELECT name FROM products)) UNION ((SELECT password FROM users))',
  `VALUES ('x') UNION SELECT password FROM users`,
  'TABLE products UNION SELECT id, password FROM users',
  'SELECT x FROM users u CROSS JOIN LATERAL unnest(ARRAY[u.password]) x',
  'SELECT * FROM users u CROSS JOIN LATERAL unnest(ARRAY[u.password]) x',
  'SELECT s.c FROM (TABLE users) s(a, b, c)',
  `SELECT ''||password FROM users`,
];

/** Statements that write or look up the password: [text, parameters]. */
const PG_WRITES: [string, string[]][] = [
  [`SELECT id FROM users WHERE password IN ((SELECT 'x') UNION (SELECT '${PASSWORD}'))`, []],
  [`SELECT id FROM users WHERE password IN (WITH s AS (SELECT 1) SELECT '${PASSWORD}')`, []],
  [`SELECT id FROM users WHERE password COLLATE "C" = '${PASSWORD}'`, []],
  [`SELECT id FROM users WHERE (password, name) = ('${PASSWORD}', 'ann')`, []],
  [`SELECT id FROM users WHERE (name, password) IN (('ann', '${PASSWORD}'))`, []],
  ['SELECT id FROM users WHERE (name, password) = ($2, $1)', [PASSWORD, 'ann']],
  [`UPDATE users SET (name, password) = (SELECT 'ann', '${PASSWORD}')`, []],
  ['UPDATE users SET (name, password) = (SELECT $1::text, $2::text)', ['ann', PASSWORD]],
  [`INSERT INTO users (id, name, password) SELECT 5, 'b', 'c' UNION ALL SELECT 6, 'ann', '${PASSWORD}'`, []],
  [`INSERT INTO users (id, name, password) WITH s AS (SELECT 1) SELECT 7, 'ann', '${PASSWORD}'`, []],
  [
    `MERGE INTO users u USING (SELECT 2 AS id) s ON u.id = s.id WHEN NOT MATCHED THEN INSERT (id, name, password) VALUES (2, 'b', '${PASSWORD}')`,
    [],
  ],
  [
    `MERGE INTO users u USING (VALUES (3, '${PASSWORD}')) s(id, pw) ON u.id = s.id WHEN NOT MATCHED THEN INSERT (id, password) VALUES (s.id, s.pw)`,
    [],
  ],
];

test('PostgreSQL: the attacker’s shapes record no password of words', { timeout: 120_000 }, async () => {
  const db = await startPostgresLeakGateway(
    'vigil_leak_sql_attacker_6dec',
    `CREATE TABLE users (id int primary key, name text, password text);
     INSERT INTO users VALUES (1, 'ann', '${PASSWORD}');
     CREATE TABLE products (id int, name text); INSERT INTO products VALUES (1, 'kettle')`,
  );
  try {
    const client = await db.connect();
    client.on('error', () => undefined);
    for (const sql of PG_READS) {
      const r = await client.query(sql);
      // The client reads the values; only the record withholds them.
      assert.ok(JSON.stringify(r.rows).includes(PASSWORD), sql);
    }
    for (const [sql, parameters] of PG_WRITES) {
      await client.query('BEGIN');
      await client.query(sql, parameters);
      await client.query('ROLLBACK');
    }
    // Nothing secret: kept.
    await client.query('((SELECT name FROM products)) UNION ((SELECT name FROM users))');
    await client.query(`SELECT id FROM users WHERE (name, id) = ('ann', 1)`);
    await client.end();
    const results = await recordedOf(db.gateway, 'pg', 'db.result');
    const recorded = results.join('\n').slice(0, 6000);
    assert.ok(
      results.some((r) => r.includes(`"rows":[["${WITHHELD}"],["${WITHHELD}"]]`)),
      recorded,
    );
    assert.ok(
      results.some(
        (r) => r.includes('"rows":[["ann"],["kettle"]]') || r.includes('"rows":[["kettle"],["ann"]]'),
      ),
      recorded,
    );
    const statements = await recordedOf(db.gateway, 'pg', 'db.query');
    assert.ok(
      statements.some((s) => s.includes(`(name, id) = ('ann', 1)`)),
      statements.join('\n').slice(0, 6000),
    );
    await db.gateway.close();
    assert.deepEqual(leaksIn(db.dataDir, [PASSWORD]), []);
  } finally {
    await db.close();
  }
});

test('MySQL: the attacker’s shapes record no password of words', { timeout: 120_000 }, async (t) => {
  const why = await mariadbUnavailable();
  if (why) {
    t.skip(why);
    return;
  }
  const D = 'vigil_leak_sql_attacker_6dec';
  const db = await startMariadbLeakGateway(
    D,
    `CREATE TABLE ${D}.users (id int primary key, name text, password text);
     INSERT INTO ${D}.users VALUES (1, 'ann', '${PASSWORD}');
     CREATE TABLE ${D}.products (id int, name text); INSERT INTO ${D}.products VALUES (1, 'kettle');`,
  );
  try {
    const client = await db.connect();
    const [rows] = await client.query('((SELECT name FROM products)) UNION ((SELECT password FROM users))');
    assert.ok(JSON.stringify(rows).includes(PASSWORD));
    for (const [sql, parameters] of [
      [`SELECT id FROM users WHERE (name, password) = ('ann', '${PASSWORD}')`, []],
      ['SELECT id FROM users WHERE (name, password) IN ((?, ?))', ['ann', PASSWORD]],
      [
        `INSERT INTO users (id, name, password) SELECT 5, 'b', 'c' UNION ALL SELECT 6, 'ann', '${PASSWORD}'`,
        [],
      ],
      [
        'INSERT INTO users (id, name, password) SELECT 7, ?, ? UNION ALL SELECT 8, ?, ?',
        ['b', 'c', 'ann', PASSWORD],
      ],
    ] as [string, string[]][]) {
      await client.query('BEGIN');
      if (parameters.length > 0) await client.execute(sql, parameters);
      else await client.query(sql);
      await client.query('ROLLBACK');
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
