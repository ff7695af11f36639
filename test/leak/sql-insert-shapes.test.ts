// Passwords written in INSERT shapes the masker did not follow, sent through the gateway to the
// real servers: an INSERT without a column list (mysqldump's default), MySQL's `VALUE`, an
// INSERT without INTO, a parenthesised SELECT, PostgreSQL's OVERRIDING … VALUE,
// and MySQL's own reading of quoted strings (a backslash-escaped quote, which mysql2 writes for a
// value with a quote in it; a double-quoted string). Each password is words, which no text rule takes for a secret: only where
// it is written says it is one. None may reach the data directory or the gateway's debug log.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mariadbUnavailable } from '../support/mariadb-server.js';
import { startMariadbLeakGateway, startPostgresLeakGateway, statementsOf } from './database-gateways.js';
import { leaksIn } from './logged-gateway.js';

const MY = {
  escapedQuote: 'amber tide lullaby',
  noColumns: 'silver fern compass',
  noInto: 'granite owl whisper',
  valueRow: 'copper kettle morning',
  doubleQuoted: 'lazy river stone',
  preparedNoColumns: 'maple frost whistle',
};
const PG = {
  noColumns: 'harvest moon lantern',
  overriding: 'cedar smoke river',
  selected: 'pebble shore twilight',
  boundNoColumns: 'cobalt rain meadow',
};

test('MySQL: INSERTs without a column list, VALUE, no INTO, backslash escapes and "…" strings are masked', {
  timeout: 180_000,
  skip: mariadbUnavailable() ?? false,
}, async () => {
  const db = await startMariadbLeakGateway(
    'vigil_leak_sql_inserts',
    'CREATE TABLE `vigil_leak_sql_inserts`.users (id int, name text, password text)',
  );
  try {
    const c = await db.connect();
    // mysql2 formats the values into the text, a quote escaped with a backslash: 'O\'Brien'.
    await c.query('INSERT INTO users (id, name, password) VALUES (?, ?, ?)', [1, "O'Brien", MY.escapedQuote]);
    await c.query(`INSERT INTO users VALUES (2, 'ann', '${MY.noColumns}')`);
    await c.query(`INSERT users (id, name, password) VALUES (3, 'bob', '${MY.noInto}')`);
    // `VALUE` is MySQL's too (refused as unreadable until 6 December).
    await c.query(`INSERT INTO users (id, name, password) VALUE (5, 'eve', '${MY.valueRow}')`);
    await c.query(`UPDATE users SET password = "${MY.doubleQuoted}" WHERE name = "ann"`);
    await c.execute('INSERT INTO users VALUES (?, ?, ?)', [4, 'cat', MY.preparedNoColumns]);
    const [rows] = await c.query('SELECT id, name FROM users ORDER BY id');
    assert.deepEqual(
      (rows as { id: number; name: string }[]).map((r) => `${r.id} ${r.name}`),
      ["1 O'Brien", '2 ann', '3 bob', '4 cat', '5 eve'],
    );
    await c.end();
    const statements = await statementsOf(db.gateway, 'my');
    // Recorded, with the name beside the escaped quote kept where a column list names it.
    assert.ok(
      statements.some((s) =>
        s.startsWith("INSERT INTO users (id, name, password) VALUES (1, 'O\\'Brien', '[MASKED:"),
      ),
      statements.join('\n'),
    );
    // Without a column list every string is masked; the number stays.
    const masked = "'\\[MASKED:secret-column:[0-9a-f]{6}\\]'";
    assert.ok(
      statements.some((s) => new RegExp(`^INSERT INTO users VALUES \\(2, ${masked}, ${masked}\\)$`).test(s)),
      statements.join('\n'),
    );
    await db.gateway.close();
    assert.deepEqual(leaksIn(db.dataDir, Object.values(MY)), []);
  } finally {
    await db.close();
  }
});

test('PostgreSQL: INSERTs without a column list, with OVERRIDING … VALUE and with a parenthesised SELECT are masked', {
  timeout: 120_000,
}, async () => {
  const db = await startPostgresLeakGateway(
    'vigil_leak_sql_inserts',
    'CREATE TABLE users (id int GENERATED ALWAYS AS IDENTITY, name text, password text)',
  );
  try {
    const client = await db.connect();
    await client.query(`INSERT INTO users OVERRIDING SYSTEM VALUE VALUES (1, 'ann', '${PG.noColumns}')`);
    await client.query(
      `INSERT INTO users (id, name, password) OVERRIDING SYSTEM VALUE VALUES (2, 'bob', '${PG.overriding}')`,
    );
    await client.query(`INSERT INTO users (name, password) (SELECT 'cat', '${PG.selected}')`);
    await client.query('INSERT INTO users OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3)', [
      4,
      'dan',
      PG.boundNoColumns,
    ]);
    const { rows } = await client.query('SELECT name FROM users ORDER BY name');
    assert.deepEqual(
      rows.map((r: { name: string }) => r.name),
      ['ann', 'bob', 'cat', 'dan'],
    );
    await client.end();
    const statements = await statementsOf(db.gateway, 'pg');
    assert.ok(
      statements.includes('INSERT INTO users OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3)'),
      statements.join('\n'),
    );
    await db.gateway.close();
    assert.deepEqual(leaksIn(db.dataDir, Object.values(PG)), []);
  } finally {
    await db.close();
  }
});
