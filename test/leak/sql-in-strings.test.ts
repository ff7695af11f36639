// SQL written inside a string: a DO block's body, a function's body, the text of MySQL's
// `PREPARE s FROM '...'` or `"..."` (refused, and recorded). A password bound to its column there was recorded as typed
// until 5 December: the lexer skipped strings whole. The string's content is now read as SQL,
// unescaped, and a value bound to a secret column is masked where it is written. Through the
// gateway to the real servers, nothing of the passwords may reach the data directory or the log.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createMasker } from '../../src/mask/index.js';
import { mariadbUnavailable } from '../support/mariadb-server.js';
import { startMariadbLeakGateway, startPostgresLeakGateway, statementsOf } from './database-gateways.js';
import { leaksIn } from './logged-gateway.js';

// Words, low entropy: only the column they are bound to says they are secret.
const DO_PASSWORD = 'harvest moon lantern';
const DYNAMIC_PASSWORD = 'cedar smoke river';
const FUNCTION_PASSWORD = 'pebble shore twilight';
const MY_SINGLE_PASSWORD = 'maple frost whistle';
const MY_DOUBLE_PASSWORD = 'cobalt rain meadow';

test('PostgreSQL: passwords bound to their column in a DO body, an EXECUTE text in it and a function body are masked', {
  timeout: 120_000,
}, async () => {
  const db = await startPostgresLeakGateway(
    'vigil_leak_sql_in_strings',
    'CREATE TABLE users (name text, password text)',
  );
  const { gateway, dataDir, direct } = db;
  try {
    const client = await db.connect();
    await client.query(
      `DO $$ BEGIN INSERT INTO users(name, password) VALUES ('ann', '${DO_PASSWORD}'); END $$`,
    );
    await client.query(
      `DO $body$ BEGIN EXECUTE 'INSERT INTO users(name, password) VALUES (''bob'', ''${DYNAMIC_PASSWORD}'')'; END $body$`,
    );
    await client.query(
      `CREATE FUNCTION add_cid() RETURNS void LANGUAGE sql AS 'INSERT INTO users(name, password) VALUES (''cid'', ''${FUNCTION_PASSWORD}'')'`,
    );
    await client.query('SELECT add_cid()');
    await client.end();
    const { rows } = await direct.query('SELECT name, password FROM users ORDER BY name');
    assert.deepEqual(
      rows.map((r) => r.password),
      [DO_PASSWORD, DYNAMIC_PASSWORD, FUNCTION_PASSWORD],
      'the server ran every statement as sent',
    );
    await gateway.close();
    assert.deepEqual(leaksIn(dataDir, [DO_PASSWORD, DYNAMIC_PASSWORD, FUNCTION_PASSWORD]), []);
  } finally {
    await db.close();
  }
});

test("MySQL: a password in PREPARE s FROM '...' and FROM \"...\" is masked in the refused statement's record", {
  timeout: 180_000,
  skip: mariadbUnavailable() ?? false,
}, async () => {
  const db = await startMariadbLeakGateway(
    'vigil_leak_sql_in_strings',
    'CREATE TABLE `vigil_leak_sql_in_strings`.users (name text, password text)',
  );
  try {
    const c = await db.connect();
    // Vigil refuses SQL PREPARE on MySQL (the text it runs later is out of its sight), and records
    // the refused statement: masked like any other.
    for (const sql of [
      `PREPARE s FROM 'INSERT INTO users(name, password) VALUES (''ann'', ''${MY_SINGLE_PASSWORD}'')'`,
      `PREPARE t FROM "INSERT INTO users(name, password) VALUES ('bob', '${MY_DOUBLE_PASSWORD}')"`,
    ]) {
      await assert.rejects(c.query(sql), /SQL PREPARE and EXECUTE run text Vigil cannot see/);
    }
    await c.end();
    const statements = await statementsOf(db.gateway, 'my');
    assert.equal(
      statements.filter((s) => s.startsWith('PREPARE') && s.includes('[MASKED:secret-column:')).length,
      2,
    );
    await db.gateway.close();
    assert.deepEqual(leaksIn(db.dataDir, [MY_SINGLE_PASSWORD, MY_DOUBLE_PASSWORD]), []);
  } finally {
    await db.close();
  }
});

test('a value bound in SQL inside any kind of string is masked where it is written, and only it', () => {
  const masker = createMasker({ fingerprintKey: Buffer.alloc(32, 3) });
  const mask = (statement: string) =>
    String(masker.maskPayload({ statement, parameters: [] }, 'pg').statement);
  // Each wrapper quotes the inner statement as its string kind requires.
  const wrappers: [string, (inner: string) => string][] = [
    ['dollar', (inner) => `DO $$ BEGIN ${inner}; END $$`],
    ['tagged dollar', (inner) => `DO $f$ BEGIN ${inner}; END $f$`],
    ['single', (inner) => `SELECT dblink_exec('dbname=x', '${inner.replaceAll("'", "''")}')`],
    ['escape', (inner) => `SELECT E'${inner.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`],
    ['double', (inner) => `PREPARE s FROM "${inner.replaceAll('"', '""')}"`],
    ['twice', (inner) => `DO $$ BEGIN EXECUTE '${inner.replaceAll("'", "''")}'; END $$`],
  ];
  fc.assert(
    fc.property(
      fc.constantFrom(...wrappers),
      fc.stringMatching(/^[a-z][a-z ]{7,20}$/),
      fc.constantFrom('password', 'api_key', 'user_secret'),
      ([, wrap], value, column) => {
        const statement = wrap(`UPDATE accounts SET ${column} = '${value}', note = 'kept text' WHERE id = 7`);
        const masked = mask(statement);
        assert.ok(!masked.includes(value), `${statement} -> ${masked}`);
        assert.match(masked, /\[MASKED:secret-column:[0-9a-f]{6}\]/);
        assert.ok(masked.includes('kept text') && masked.includes('WHERE id = 7'), masked);
        // Only the value changed: the statement around it is as written.
        const [before, after] = masked.split(/\[MASKED:secret-column:[0-9a-f]{6}\]/);
        assert.ok(statement.startsWith(before!) && statement.endsWith(after!), `${statement} -> ${masked}`);
      },
    ),
  );
});
