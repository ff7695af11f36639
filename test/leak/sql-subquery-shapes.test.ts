// A password given to a secret column through a subquery (`password IN (SELECT '…')`), a function
// of several arguments (`coalesce(password, '') = '…'`, `'…' = nullif(password, 'x')`) or a VALUES
// list whose alias's column says nothing (`SET password = v.p FROM (VALUES …) v(n, p)`), sent
// through the gateway to the real servers with their official clients. Each password is words,
// which no text rule takes for a secret; until 6 December each was recorded as typed. None may
// reach the data directory or the gateway's debug log, and the values around them stay readable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mariadbUnavailable } from '../support/mariadb-server.js';
import { startMariadbLeakGateway, startPostgresLeakGateway, statementsOf } from './database-gateways.js';
import { leaksIn } from './logged-gateway.js';

const PG = {
  inSelect: 'correct horse battery staple',
  inUnion: 'gentle otter pavilion',
  coalesced: 'amber quarry whistle',
  nullifFirst: 'silver fern cadence',
  trimmedParam: 'lunar kettle orchard',
  valuesAlias: 'northern moss lantern',
  valuesAliasTwo: 'crimson tide almanac',
  insertSelect: 'pale comet harvest',
};
const MY = {
  inSelect: 'woven reed compass',
  coalesced: 'dusty violin meadow',
  nullifFirst: 'frosted pine ledger',
  upperParam: 'hidden creek sonnet',
};

test('PostgreSQL: passwords in a subquery, around a call of several arguments and in a VALUES alias are masked', {
  timeout: 120_000,
}, async () => {
  const db = await startPostgresLeakGateway(
    'vigil_leak_sql_subqueries',
    `CREATE TABLE users (id int, name text, password text);
     INSERT INTO users VALUES (1, 'ann', 'x'), (2, 'bob', 'y')`,
  );
  try {
    const client = await db.connect();
    await client.query(`SELECT id FROM users WHERE password IN (SELECT '${PG.inSelect}')`);
    await client.query(
      `SELECT id FROM users WHERE password NOT IN (SELECT 'x' UNION ALL SELECT '${PG.inUnion}')`,
    );
    await client.query(`SELECT id FROM users WHERE coalesce(password, '') = '${PG.coalesced}'`);
    await client.query(`SELECT id FROM users WHERE '${PG.nullifFirst}' = nullif('x', password)`);
    await client.query('SELECT id FROM users WHERE trim(both $2 from password) = $1', [PG.trimmedParam, ' ']);
    await client.query(
      `UPDATE users SET password = v.p FROM (VALUES ('ann', '${PG.valuesAlias}'), ('bob', '${PG.valuesAliasTwo}')) v(n, p) WHERE users.name = v.n`,
    );
    await client.query(
      `INSERT INTO users (id, name, password) SELECT i, n, p FROM (VALUES (3, 'cy', '${PG.insertSelect}')) v(i, n, p)`,
    );
    // The statements did what they said: the masking is in the record only.
    const { rows } = await client.query(
      'SELECT name, password = $1 OR password = $2 OR password = $3 AS matched FROM users ORDER BY id',
      [PG.valuesAlias, PG.valuesAliasTwo, PG.insertSelect],
    );
    assert.deepEqual(
      rows.map((r: { name: string; matched: boolean }) => `${r.name} ${r.matched}`),
      ['ann true', 'bob true', 'cy true'],
    );
    // A plain column's subquery keeps its value.
    await client.query("SELECT name FROM users WHERE id IN (SELECT id FROM users WHERE name = 'ann')");
    await client.end();
    const statements = await statementsOf(db.gateway, 'pg');
    assert.ok(
      statements.some((s) => s.includes("(VALUES ('ann', '[MASKED:secret-column:")),
      statements.join('\n'),
    );
    assert.ok(
      statements.some((s) => s.includes("(VALUES (3, 'cy', '[MASKED:secret-column:")),
      statements.join('\n'),
    );
    assert.ok(
      statements.includes("SELECT name FROM users WHERE id IN (SELECT id FROM users WHERE name = 'ann')"),
      statements.join('\n'),
    );
    await db.gateway.close();
    assert.deepEqual(leaksIn(db.dataDir, Object.values(PG)), []);
  } finally {
    await db.close();
  }
});

test('MySQL: passwords in a subquery and around a call of several arguments are masked', {
  timeout: 180_000,
  skip: mariadbUnavailable() ?? false,
}, async () => {
  const db = await startMariadbLeakGateway(
    'vigil_leak_sql_subqueries',
    'CREATE TABLE `vigil_leak_sql_subqueries`.users (id int, name text, password text); ' +
      "INSERT INTO `vigil_leak_sql_subqueries`.users (id, name, password) VALUES (1, 'ann', 'x'), (2, 'bob', 'y')",
  );
  try {
    const c = await db.connect();
    await c.query(`SELECT id FROM users WHERE password IN (SELECT '${MY.inSelect}')`);
    await c.query(`SELECT id FROM users WHERE coalesce(password, '') = '${MY.coalesced}'`);
    await c.query(`SELECT id FROM users WHERE '${MY.nullifFirst}' = nullif('x', password)`);
    await c.execute('SELECT id FROM users WHERE upper(concat(password, ?)) = ?', ['', MY.upperParam]);
    await c.end();
    const statements = await statementsOf(db.gateway, 'my');
    assert.ok(
      statements.some((s) => s.includes("WHERE password IN (SELECT '[MASKED:secret-column:")),
      statements.join('\n'),
    );
    await db.gateway.close();
    assert.deepEqual(leaksIn(db.dataDir, Object.values(MY)), []);
  } finally {
    await db.close();
  }
});
