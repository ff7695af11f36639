// Passwords of words that reached the record in clear until 6 December through a function in FROM
// that names its columns itself (`jsonb_each_text(to_jsonb(u))` answers every column under `key` and
// `value`, `LATERAL unnest(ARRAY[u.password])` under `unnest`, `json_populate_record(…)` under a
// table's names), through a `*` of such a call's row, and through a whole row cut by a text
// function (`split_part(u::text, ',', 3)`, `replace(u::text, '(', '')`), whose cell no longer looks
// like a row. Sent through the gateway to the real server with its official client; each shape is
// named when it reaches the data directory. Functions over ordinary columns stay readable.
// (MariaDB's `JSON_TABLE` is refused: the MySQL module's parser does not read it, so it is not run.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordedOf, startPostgresLeakGateway } from './database-gateways.js';
import { leakedNames } from './logged-gateway.js';

const WITHHELD = '(withheld: derived from a secret column)';

const PG = {
  eachText: 'fuzzy violet anchor',
  eachStar: 'mellow garnet pylon',
  unnestBare: 'breezy copper tadpole',
  populate: 'lanky orchid sherbet',
  splitPart: 'grumpy saffron kayak',
  replaceParen: 'silky badger chowder',
  callStar: 'rugged pansy meteor',
};

test('PostgreSQL: FROM functions over a row or a password and cut rows are withheld', {
  timeout: 120_000,
}, async () => {
  const db = await startPostgresLeakGateway(
    'vigil_leak_sql_dec6_functions',
    `CREATE TABLE users (id int, name text, password text);
     CREATE TABLE products (id int, name text, note text);
     INSERT INTO users VALUES (1, 'ann', '${PG.eachText}'), (2, 'bob', '${PG.eachStar}'),
       (3, 'cy', '${PG.unnestBare}'), (4, 'di', '${PG.populate}'), (5, 'ed', '${PG.splitPart}'),
       (6, 'flo', '${PG.replaceParen}'), (7, 'gus', '${PG.callStar}');
     INSERT INTO products VALUES (1, 'lamp', 'blue')`,
  );
  try {
    const client = await db.connect();
    const each = await client.query(
      'SELECT j.key, j.value FROM users u, jsonb_each_text(to_jsonb(u)) j WHERE u.id = 1',
    );
    // The client gets the values; only the record withholds them.
    assert.ok(JSON.stringify(each.rows).includes(PG.eachText));
    await client.query('SELECT * FROM users u, json_each_text(row_to_json(u)) WHERE u.id = 2');
    await client.query('SELECT unnest FROM users u, LATERAL unnest(ARRAY[u.password]) WHERE u.id = 3');
    await client.query(
      "SELECT note FROM json_populate_record(null::products, (SELECT json_build_object('note', password) FROM users WHERE id = 4))",
    );
    await client.query("SELECT split_part(u::text, ',', 3) FROM users u WHERE id = 5");
    await client.query("SELECT replace(u::text, '(', '') FROM users u WHERE id = 6");
    await client.query('SELECT (jsonb_each_text(to_jsonb(u))).* FROM users u WHERE id = 7');
    // Ordinary: set-returning functions over columns that say nothing secret.
    await client.query('SELECT * FROM products p, unnest(ARRAY[p.name, p.note]) x');
    await client.query('SELECT i FROM generate_series(1, 3) g(i)');
    await client.end();
    const results = await recordedOf(db.gateway, 'pg', 'db.result');
    await db.gateway.close();
    assert.deepEqual(leakedNames(db.dataDir, PG), []);
    assert.ok(
      results.some((r) => r.includes('"lamp"') && r.includes('"blue"')),
      results.join('\n'),
    );
    assert.ok(
      results.some((r) => r.includes('[["1"],["2"],["3"]]') || r.includes('[[1],[2],[3]]')),
      results.join('\n'),
    );
    assert.ok(results.filter((r) => r.includes(WITHHELD)).length >= 7, results.join('\n'));
  } finally {
    await db.close();
  }
});
