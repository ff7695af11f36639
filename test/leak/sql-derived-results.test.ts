// A secret-named column read back under another name: an alias (`SELECT password AS p`), an
// expression (`concat(password)`, `string_agg(password, ',')`), RETURNING under an alias, a CTE's
// alias read again outside it, and MySQL's binary protocol (a prepared statement's rows). The
// server names the result column `p`, `concat`, `string_agg`, so masking cells by column name
// missed them and a password of words was recorded in clear. None may reach the data directory.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mariadbUnavailable } from '../support/mariadb-server.js';
import { recordedOf, startMariadbLeakGateway, startPostgresLeakGateway } from './database-gateways.js';
import { leaksIn } from './logged-gateway.js';

const PG = 'summer dance party';
const MY = 'autumn leaf parade';
const WITHHELD = '(withheld: derived from a secret column)';

test('PostgreSQL: a secret column under an alias or in an expression is withheld from the recorded rows', {
  timeout: 120_000,
}, async () => {
  const db = await startPostgresLeakGateway(
    'vigil_leak_sql_derived',
    `CREATE TABLE users (id int, name text, password text); INSERT INTO users VALUES (1, 'ann', '${PG}')`,
  );
  try {
    const client = await db.connect();
    const answers = [
      await client.query('SELECT name, password AS p FROM users'),
      await client.query('SELECT concat(password) FROM users'),
      await client.query(`SELECT string_agg(password, ',') FROM users`),
      await client.query('WITH s AS (SELECT name, password AS p FROM users) SELECT name, p FROM s'),
      await client.query(`UPDATE users SET name = 'ann' RETURNING id, password AS x`),
      await client.query('SELECT *, upper(password) FROM users WHERE id = $1', [1]),
    ];
    // The client gets the values; only the record withholds them.
    assert.ok(answers.every((a) => JSON.stringify(a.rows).toLowerCase().includes(PG)));
    await client.end();
    const results = await recordedOf(db.gateway, 'pg', 'db.result');
    assert.equal(results.filter((r) => r.includes(WITHHELD)).length, answers.length, results.join('\n'));
    // The columns beside it are kept: the name, the id, and * with the password masked by its name.
    assert.ok(
      results.some((r) => r.includes(`["ann","${WITHHELD}"]`)),
      results.join('\n'),
    );
    assert.ok(
      results.some((r) => r.includes(`["1","ann","[MASKED:secret-column:`)),
      results.join('\n'),
    );
    await db.gateway.close();
    assert.deepEqual(leaksIn(db.dataDir, [PG]), []);
  } finally {
    await db.close();
  }
});

test('MySQL: a secret column under an alias is withheld, in text and binary results', {
  timeout: 180_000,
  skip: mariadbUnavailable() ?? false,
}, async () => {
  const db = await startMariadbLeakGateway(
    'vigil_leak_sql_derived',
    'CREATE TABLE `vigil_leak_sql_derived`.users (id int, name text, api_token text); ' +
      `INSERT INTO \`vigil_leak_sql_derived\`.users VALUES (1, 'ann', '${MY}')`,
  );
  try {
    const c = await db.connect();
    const [text] = await c.query('SELECT name, api_token AS t FROM users');
    const [binary] = await c.execute('SELECT CONCAT(api_token, ?) AS t FROM users WHERE id = ?', ['', 1]);
    assert.equal((text as { t: string }[])[0]?.t, MY);
    assert.equal((binary as { t: string }[])[0]?.t, MY);
    await c.end();
    const results = await recordedOf(db.gateway, 'my', 'db.result');
    assert.equal(results.filter((r) => r.includes(WITHHELD)).length, 2, results.join('\n'));
    await db.gateway.close();
    assert.deepEqual(leaksIn(db.dataDir, [MY]), []);
  } finally {
    await db.close();
  }
});
