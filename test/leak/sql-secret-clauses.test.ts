// Passwords that SQL's grammar, not a column, says are secret: `CREATE ROLE … PASSWORD '…'`, the
// SCRAM verifier psql's \password sends (`ALTER USER … PASSWORD 'SCRAM-SHA-256$4096:…'`: enough to
// guess the password offline), MySQL's `IDENTIFIED BY '…'` and `SET PASSWORD FOR … = PASSWORD('…')`,
// foreign servers' and user mappings' `OPTIONS (password '…')`, a secret-named setting (`SET
// my.api_key TO '…'`, `set_config(…)`) and a quoted password in a libpq connection string
// (`dblink_connect('… password=''…''')`). Sent through the gateway to the real servers, none may
// reach the data directory or the gateway's debug log; the statements are still recorded.
import assert from 'node:assert/strict';
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { createMasker } from '../../src/mask/index.js';
import { mariadbUnavailable } from '../support/mariadb-server.js';
import {
  recordedOf,
  startMariadbLeakGateway,
  startPostgresLeakGateway,
  statementsOf,
} from './database-gateways.js';
import { leaksIn } from './logged-gateway.js';

// Words, low entropy: only the grammar around them says they are secret.
const ROLE_PASSWORD = 'lantern orchard seven';
const MAPPING_PASSWORD = 'copper kettle morning';
const SETTING_VALUE = 'velvet harbor fog';
const SET_CONFIG_VALUE = 'quiet meadow ember';
const ROLE_SETTING = 'marble finch dusk';
const CONNINFO_PASSWORD = 'paper crane drift';
const MY_USER_PASSWORD = 'amber tide lullaby';
const MY_SET_PASSWORD = 'silver fern compass';
const MY_SERVER_PASSWORD = 'granite owl whisper';
const MY_RENAMED_TOKEN = 'lazy river stone';

/** The verifier psql's \password computes and sends in place of the password (RFC 5802, 7677). */
function scramVerifier(password: string): { text: string; parts: string[] } {
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password, salt, 4096, 32, 'sha256');
  const stored = createHash('sha256')
    .update(createHmac('sha256', salted).update('Client Key').digest())
    .digest();
  const server = createHmac('sha256', salted).update('Server Key').digest();
  const parts = [salt, stored, server].map((b) => b.toString('base64'));
  return { text: `SCRAM-SHA-256$4096:${parts[0]}$${parts[1]}:${parts[2]}`, parts };
}

test('PostgreSQL: role passwords, \\password verifiers, mapping options, secret settings and conninfo passwords are masked', {
  timeout: 120_000,
}, async () => {
  const db = await startPostgresLeakGateway(
    'vigil_leak_sql_clauses',
    'DROP ROLE IF EXISTS vigil_leak_clause_role; CREATE EXTENSION IF NOT EXISTS postgres_fdw; ' +
      'CREATE EXTENSION IF NOT EXISTS dblink',
  );
  const { gateway, dataDir, direct } = db;
  const verifier = scramVerifier('correct horse battery staple');
  try {
    const client = await db.connect();
    const run = (sql: string) =>
      client.query(sql).then(
        () => 'ok',
        (err: Error) => err.message,
      );
    await run(`CREATE ROLE vigil_leak_clause_role LOGIN PASSWORD '${ROLE_PASSWORD}'`);
    await run(`ALTER USER "vigil_leak_clause_role" PASSWORD '${verifier.text}'`);
    await run(
      "CREATE SERVER vigil_leak_srv FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', dbname 'x')",
    );
    await run(
      `CREATE USER MAPPING FOR CURRENT_USER SERVER vigil_leak_srv OPTIONS (user 'u', password '${MAPPING_PASSWORD}')`,
    );
    await run(`SET my.api_key TO '${SETTING_VALUE}'`);
    await run(`SELECT set_config('my.api_key', '${SET_CONFIG_VALUE}', false)`);
    // Read back: by a secret-named column (SHOW names it after the setting; pg_authid's rolpassword).
    await run('SHOW my.api_key');
    await run(`ALTER ROLE vigil_leak_clause_role SET my.api_key TO '${ROLE_SETTING}'`);
    // Kept as text arrays of name=value under columns that name nothing secret.
    await run("SELECT umoptions FROM pg_user_mappings WHERE srvname = 'vigil_leak_srv'");
    await run(
      "SELECT setconfig FROM pg_db_role_setting WHERE setrole = (SELECT oid FROM pg_roles WHERE rolname = 'vigil_leak_clause_role')",
    );
    await run("SELECT rolpassword FROM pg_authid WHERE rolname = 'vigil_leak_clause_role'");
    await run(
      `SELECT dblink_connect('vigil_leak', 'host=127.0.0.1 port=1 dbname=x user=nobody password=''${CONNINFO_PASSWORD}''')`,
    );
    await client.end();

    const statements = await statementsOf(gateway, 'pg');
    const arrays = (await recordedOf(gateway, 'pg', 'db.result')).filter(
      (r) => r.includes('password=[MASKED:') || r.includes('api_key=[MASKED:'),
    );
    assert.equal(arrays.length, 2, 'umoptions and setconfig were read back, masked');
    assert.ok(statements.some((s) => s.startsWith('CREATE ROLE vigil_leak_clause_role LOGIN PASSWORD')));
    assert.ok(
      statements.filter((s) => s.includes('[MASKED:secret-column:')).length >= 6,
      statements.join('\n'),
    );
    await gateway.close();
    assert.deepEqual(
      leaksIn(dataDir, [
        ROLE_PASSWORD,
        MAPPING_PASSWORD,
        SETTING_VALUE,
        SET_CONFIG_VALUE,
        ROLE_SETTING,
        'kettle morning',
        CONNINFO_PASSWORD,
        'SCRAM-SHA-256$4096:',
        ...verifier.parts,
      ]),
      [],
    );
  } finally {
    await gateway.close().catch(() => undefined);
    await direct
      .query('DROP USER MAPPING IF EXISTS FOR CURRENT_USER SERVER vigil_leak_srv')
      .catch(() => undefined);
    await direct.query('DROP SERVER IF EXISTS vigil_leak_srv').catch(() => undefined);
    await direct.query('DROP ROLE IF EXISTS vigil_leak_clause_role');
    await db.close();
  }
});

test('MySQL: IDENTIFIED BY, SET PASSWORD FOR … = PASSWORD(…), CREATE SERVER … OPTIONS (PASSWORD …) and the stored hash are masked', {
  timeout: 180_000,
  skip: mariadbUnavailable() ?? false,
}, async () => {
  const database = 'vigil_leak_sql_clauses';
  const db = await startMariadbLeakGateway(
    database,
    "DROP USER IF EXISTS 'vigil_leak_clause'@'%'; DROP SERVER IF EXISTS vigil_leak_srv; " +
      `CREATE TABLE \`${database}\`.users (name text, api_token text); ` +
      `INSERT INTO \`${database}\`.users VALUES ('ann', '${MY_RENAMED_TOKEN}')`,
  );
  const { gateway, dataDir } = db;
  try {
    const c = await db.connect();
    const run = (sql: string) =>
      c.query(sql).then(
        () => 'ok',
        (err: Error) => err.message,
      );
    await run(`CREATE USER 'vigil_leak_clause'@'%' IDENTIFIED BY '${MY_USER_PASSWORD}'`);
    await run(`SET PASSWORD FOR 'vigil_leak_clause'@'%' = PASSWORD('${MY_SET_PASSWORD}')`);
    await run(
      `CREATE SERVER vigil_leak_srv FOREIGN DATA WRAPPER mysql OPTIONS (USER 'r', PASSWORD '${MY_SERVER_PASSWORD}', HOST '127.0.0.1')`,
    );
    // A value the WHERE clause masks, selected back under a name that says nothing.
    await run(`SELECT api_token AS t FROM users WHERE api_token = '${MY_RENAMED_TOKEN}'`);
    // The hash the server keeps (mysql_native_password: a password equivalent), read back.
    const [rows] = await c.query(
      "SELECT user, authentication_string FROM mysql.user WHERE user = 'vigil_leak_clause'",
    );
    const hash = String((rows as { authentication_string: string }[])[0]?.authentication_string);
    assert.match(hash, /^\*[0-9A-F]{40}$/);
    await c.end();

    const statements = await statementsOf(gateway, 'my');
    assert.ok(statements.some((s) => s.startsWith("CREATE USER 'vigil_leak_clause'@'%' IDENTIFIED BY")));
    assert.ok(
      statements.filter((s) => s.includes('[MASKED:secret-column:')).length >= 3,
      statements.join('\n'),
    );
    await gateway.close();
    assert.deepEqual(
      leaksIn(dataDir, [
        MY_USER_PASSWORD,
        MY_SET_PASSWORD,
        MY_SERVER_PASSWORD,
        MY_RENAMED_TOKEN,
        hash.slice(1),
      ]),
      [],
    );
  } finally {
    await db.admin
      .query("DROP USER IF EXISTS 'vigil_leak_clause'@'%'; DROP SERVER IF EXISTS vigil_leak_srv")
      .catch(() => undefined);
    await db.close();
  }
});

test('clauses: the grammar binds the value; other values beside the same words stay', () => {
  const m = createMasker({ fingerprintKey: Buffer.alloc(32, 7) });
  const mask = (statement: string) => String(m.maskPayload({ statement, parameters: [] }, 'pg').statement);
  const masked = [
    ["ALTER ROLE r WITH LOGIN ENCRYPTED PASSWORD 'a b c' VALID UNTIL 'infinity'", "'infinity'"],
    ["ALTER USER 'u'@'%' IDENTIFIED WITH mysql_native_password BY 'a b c'", "'u'@'%'"],
    ["ALTER USER u IDENTIFIED BY 'a b c' REPLACE 'old one'", 'REPLACE'],
    ["CREATE USER u IDENTIFIED VIA ed25519 USING PASSWORD('a b c')", 'ed25519'],
    ["SET PASSWORD FOR 'u'@'localhost' = 'a b c'", "'localhost'"],
    ["ALTER USER MAPPING FOR bob SERVER s OPTIONS (SET password 'a b c')", 'bob'],
    ["ALTER ROLE r SET app.secret TO 'a b c'", 'app.secret'],
    ["SET LOCAL my.token = 'a b c'", 'my.token'],
    ["SELECT dblink_connect($$host=h password='a b c' user=u$$)", 'user=u'],
  ] as const;
  for (const [statement, kept] of masked) {
    const out = mask(statement);
    assert.ok(!out.includes('a b c') && !out.includes('old one'), out);
    assert.ok(out.includes(kept), out);
  }
  for (const statement of [
    "GRANT SELECT ON secret TO 'bob'@'%'",
    "SELECT DATE '2024-01-01', INTERVAL '1 day'",
    "COMMENT ON COLUMN users.password IS 'bcrypt hash'",
    "SET search_path TO 'app'",
    "SELECT set_config('search_path', 'app', false)",
    "CREATE TABLE password (id int DEFAULT '1')",
  ])
    assert.equal(mask(statement), statement);
  const bound = m.maskPayload(
    {
      statement: "SELECT set_config('app.api_key', $1, false), set_config('search_path', $2, false)",
      parameters: ['a b c', 'app'],
    },
    'pg',
  );
  assert.match(String((bound.parameters as string[])[0]), /^\[MASKED:secret-column:/);
  assert.equal((bound.parameters as string[])[1], 'app');
});
