// Secrets a statement carries where no column names them: a JSON document written as a literal
// (`'{"api_key": "…"}'::jsonb`, into a column called `settings`), a password hashed in the
// statement (`crypt('…', gen_salt('bf'))` into `password_hash`), a key given to pgcrypto or MySQL
// (`pgp_sym_encrypt(data, '…')`, `AES_ENCRYPT(str, '…')`), a quoted column named in camel case
// (`"ApiToken"`), and the stored hash read back (`SELECT password_hash …`, a bcrypt string no text
// rule takes for a token), and rows copied into it (COPY FROM STDIN, which is not recorded). Sent through the gateway to the real servers, none may reach the data
// directory or the gateway's debug log.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runProcess } from '../support/cli.js';
import { TOKENS } from '../support/gateway.js';
import { mariadbUnavailable } from '../support/mariadb-server.js';
import { startMariadbLeakGateway, startPostgresLeakGateway } from './database-gateways.js';
import { leaksIn } from './logged-gateway.js';

// Words joined by dashes: only where they are written says they are secret.
const JSON_KEY = 'lantern-orchard-seven';
const HASHED_PASSWORD = 'copper-kettle-morning';
const SYM_KEY = 'velvet-harbor-fog';
const CAMEL_TOKEN = 'quiet-meadow-ember';
const COPY_PASSWORD = 'hollow-reed-anthem';
const MY_JSON_SECRET = 'marble-finch-dusk';
const MY_AES_KEY = 'paper-crane-drift';

test('PostgreSQL: JSON literals, crypt() and pgcrypto keys, camel-case quoted columns and stored hashes are masked', {
  timeout: 120_000,
}, async () => {
  const db = await startPostgresLeakGateway(
    'vigil_leak_sql_keys',
    'CREATE EXTENSION IF NOT EXISTS pgcrypto; DROP TABLE IF EXISTS integrations, accounts; ' +
      'CREATE TABLE integrations (name text, settings jsonb); ' +
      'CREATE TABLE accounts (name text, password_hash text, "ApiToken" text)',
  );
  const { gateway, dataDir, listener } = db;
  try {
    const client = await db.connect();
    await client.query(
      `INSERT INTO integrations (name, settings) VALUES ('crm', '{"url": "https://crm.example", "auth": {"api_key": "${JSON_KEY}"}}'::jsonb)`,
    );
    await client.query(
      `INSERT INTO accounts (name, password_hash, "ApiToken") VALUES ('bob', crypt('${HASHED_PASSWORD}', gen_salt('bf', 4)), '${CAMEL_TOKEN}')`,
    );
    await client.query(`SELECT pgp_sym_encrypt('payroll', '${SYM_KEY}') AS sealed`);
    await client.end();
    // COPY FROM STDIN rows into the secret column, as psql sends them (CopyData).
    const copied = await runProcess(
      'psql',
      ['-X', '-v', 'ON_ERROR_STOP=1', '-c', 'COPY accounts (name, password_hash) FROM STDIN'],
      {
        PGHOST: listener('pg').host,
        PGPORT: String(listener('pg').port),
        PGUSER: 'alice',
        PGDATABASE: 'x',
        PGPASSWORD: TOKENS.alice,
        PGSSLMODE: 'disable',
      },
      `ann\t${COPY_PASSWORD}\n\\.\n`,
    );
    assert.equal(copied.code, 0, copied.stderr);
    const client2 = await db.connect();
    const { rows } = await client2.query("SELECT name, password_hash FROM accounts WHERE name = 'bob'");
    const stored = String(rows[0]?.password_hash);
    assert.match(stored, /^\$2a\$04\$/);
    await client2.query('SELECT name, password_hash FROM accounts');
    await client2.end();
    await gateway.recorder.drain();
    await gateway.close();
    assert.deepEqual(
      leaksIn(dataDir, [JSON_KEY, HASHED_PASSWORD, SYM_KEY, CAMEL_TOKEN, COPY_PASSWORD, stored.slice(7)]),
      [],
    );
  } finally {
    await db.direct.query('DROP TABLE IF EXISTS integrations, accounts').catch(() => undefined);
    await db.close();
  }
});

test('MySQL: a JSON literal and an AES_ENCRYPT key are masked', {
  timeout: 180_000,
  skip: mariadbUnavailable() ?? false,
}, async () => {
  const db = await startMariadbLeakGateway(
    'vigil_leak_sql_keys',
    'CREATE TABLE `vigil_leak_sql_keys`.integrations (name text, settings json)',
  );
  try {
    const c = await db.connect();
    await c.query(
      `INSERT INTO integrations (name, settings) VALUES ('crm', '{"client_secret": "${MY_JSON_SECRET}"}')`,
    );
    await c.query(`SELECT HEX(AES_ENCRYPT('payroll', '${MY_AES_KEY}')) AS sealed`);
    await c.end();
    await db.gateway.recorder.drain();
    await db.gateway.close();
    assert.deepEqual(leaksIn(db.dataDir, [MY_JSON_SECRET, MY_AES_KEY]), []);
  } finally {
    await db.close();
  }
});
