// A password of words put under a secret-named JSON key by a function, sent through the gateway to
// the real servers: `jsonb_set(data, '{password}', '"…"')`, `json_build_object('api_token', '…')`,
// MySQL's `JSON_SET(doc, '$.password', '…')` and `JSON_OBJECT('api_token', '…')`. The key is a
// string, not a column, so nothing bound the value. None may reach the data directory.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mariadbUnavailable } from '../support/mariadb-server.js';
import { startMariadbLeakGateway, startPostgresLeakGateway, statementsOf } from './database-gateways.js';
import { leaksIn } from './logged-gateway.js';

const PG = { set: 'harbor wind melody', built: 'velvet cloud ember' };
const MY = { set: 'quiet lake sunrise', built: 'marble fox journey' };

test('PostgreSQL: jsonb_set and json_build_object values under secret keys are masked', {
  timeout: 120_000,
}, async () => {
  const db = await startPostgresLeakGateway(
    'vigil_leak_sql_json',
    `CREATE TABLE users (id int, data jsonb); INSERT INTO users VALUES (1, '{}')`,
  );
  try {
    const client = await db.connect();
    await client.query(`UPDATE users SET data = jsonb_set(data, '{password}', '"${PG.set}"')`);
    await client.query(
      `UPDATE users SET data = data || jsonb_build_object('id', 1, 'api_token', '${PG.built}')`,
    );
    const { rows } = await client.query(`SELECT data->>'password' AS p FROM users`);
    assert.equal(rows[0].p, PG.set);
    await client.end();
    const statements = await statementsOf(db.gateway, 'pg');
    assert.ok(
      statements.some((s) => s.startsWith(`UPDATE users SET data = jsonb_set(data, '{password}', '[MASKED:`)),
      statements.join('\n'),
    );
    await db.gateway.close();
    assert.deepEqual(leaksIn(db.dataDir, Object.values(PG)), []);
  } finally {
    await db.close();
  }
});

test('MySQL: JSON_SET and JSON_OBJECT values under secret keys are masked', {
  timeout: 180_000,
  skip: mariadbUnavailable() ?? false,
}, async () => {
  const db = await startMariadbLeakGateway(
    'vigil_leak_sql_json',
    'CREATE TABLE `vigil_leak_sql_json`.users (id int, doc text); ' +
      "INSERT INTO `vigil_leak_sql_json`.users VALUES (1, '{}')",
  );
  try {
    const c = await db.connect();
    await c.query(`UPDATE users SET doc = JSON_SET(doc, '$.password', '${MY.set}')`);
    await c.query(`UPDATE users SET doc = JSON_MERGE_PATCH(doc, JSON_OBJECT('api_token', '${MY.built}'))`);
    const [rows] = await c.query(`SELECT JSON_VALUE(doc, '$.password') AS p FROM users`);
    assert.equal((rows as { p: string }[])[0]?.p, MY.set);
    await c.end();
    const statements = await statementsOf(db.gateway, 'my');
    assert.ok(
      statements.some((s) => s.startsWith(`UPDATE users SET doc = JSON_SET(doc, '$.password', '[MASKED:`)),
      statements.join('\n'),
    );
    await db.gateway.close();
    assert.deepEqual(leaksIn(db.dataDir, Object.values(MY)), []);
  } finally {
    await db.close();
  }
});
