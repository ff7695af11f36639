// A database's error message may quote a value the statement never held: one it read from a secret
// column (`UPDATE accounts SET note = note WHERE password::int > 0` fails with `invalid input syntax
// for type integer: "<the stored password>"`), or one it copied into a unique secret column
// (`Duplicate entry '<the stored key>' for key 'api_token'`). Nothing in the statement's record is
// masked, so there is no pair to replace: the message's quoted values are masked because the
// statement or the message names a secret column. The client still gets the server's answer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mariadbUnavailable } from '../support/mariadb-server.js';
import { recordedOf, startMariadbLeakGateway, startPostgresLeakGateway } from './database-gateways.js';
import { leaksIn } from './logged-gateway.js';

// Words, low entropy: only the column says they are secret.
const PG_PASSWORD = 'willow candle north';
const PG_API_KEY = 'orbit pebble thunder';
const MY_TOKEN = 'saffron kite meadow';
const MY_OTHER_TOKEN = 'pewter glade sonnet';

const errorsOf = async (...args: Parameters<typeof recordedOf>) =>
  (await recordedOf(...args))
    .map((p) => JSON.parse(p) as { error_message?: string | null })
    .flatMap((p) => (p.error_message ? [p.error_message] : []));

test('PostgreSQL: a stored secret the server quotes in an error is not recorded', {
  timeout: 120_000,
}, async () => {
  const db = await startPostgresLeakGateway(
    'vigil_leak_error_stored',
    'CREATE TABLE accounts (id serial PRIMARY KEY, note text, password text, api_key text UNIQUE); ' +
      `INSERT INTO accounts (note, password, api_key) VALUES ('a', '${PG_PASSWORD}', '${PG_API_KEY}')`,
  );
  try {
    const client = await db.connect();
    await assert.rejects(
      client.query('UPDATE accounts SET note = note WHERE password::int > 0'),
      new RegExp(PG_PASSWORD),
      'the client still gets the server error',
    );
    await assert.rejects(client.query('SELECT id FROM accounts WHERE api_key::numeric > 0'));
    await assert.rejects(
      client.query(
        'INSERT INTO accounts (note, password, api_key) SELECT note, password, api_key FROM accounts',
      ),
      /duplicate key/,
    );
    await client.end();
    const messages = await errorsOf(db.gateway, 'pg', 'db.result');
    assert.equal(messages.length, 3, JSON.stringify(messages));
    assert.match(
      messages[0]!,
      /^invalid input syntax for type integer: "\[MASKED:secret-column:[0-9a-f]{6}\]"$/,
    );
    // The constraint's name is no value: it stays.
    assert.match(messages[2]!, /accounts_api_key_key/);
    assert.deepEqual(leaksIn(db.dataDir, [PG_PASSWORD, PG_API_KEY]), []);
  } finally {
    await db.close();
  }
});

test('MariaDB: stored secrets quoted in duplicate-entry and truncation errors are not recorded', {
  timeout: 180_000,
  skip: mariadbUnavailable() ?? false,
}, async () => {
  const db = await startMariadbLeakGateway(
    'vigil_leak_error_stored',
    'CREATE TABLE vigil_leak_error_stored.users (id int primary key auto_increment, name text, ' +
      'api_token varchar(64) unique, pin int); ' +
      `INSERT INTO vigil_leak_error_stored.users (name, api_token) VALUES ('a', '${MY_TOKEN}'), ('b', '${MY_OTHER_TOKEN}');`,
  );
  try {
    const c = await db.connect();
    await assert.rejects(
      c.query('INSERT INTO users (name, api_token) SELECT concat(name, name), api_token FROM users'),
      new RegExp(`Duplicate entry '${MY_TOKEN}'`),
    );
    // A copy through a view whose column names no secret: the index named in the message does.
    await c.query(
      'CREATE TABLE copies (id int primary key auto_increment, v varchar(64), UNIQUE KEY api_token (v))',
    );
    await c.query('INSERT INTO copies (v) VALUES (1)');
    await c.query('CREATE VIEW plain AS SELECT api_token AS v FROM users');
    await assert.rejects(
      c.query('INSERT INTO copies (v) SELECT v FROM plain UNION ALL SELECT v FROM plain'),
      /Duplicate entry/,
    );
    await assert.rejects(
      c.query("UPDATE users SET name = 'x' WHERE api_token > 0"),
      /Truncated incorrect \w+ value/,
    );
    // A warning quotes the value too, and SHOW WARNINGS answers with it as a row.
    await c.query('SELECT id FROM users WHERE api_token > 0');
    const [warnings] = await c.query('SHOW WARNINGS');
    assert.match(JSON.stringify(warnings), new RegExp(MY_TOKEN), 'the client still gets the warning');
    await c.end();
    const messages = await errorsOf(db.gateway, 'my', 'db.result');
    assert.equal(messages.length, 3, JSON.stringify(messages));
    assert.match(
      messages[0]!,
      /^Duplicate entry '\[MASKED:secret-column:[0-9a-f]{6}\]' for key 'api_token'$/,
    );
    assert.match(
      messages[1]!,
      /^Duplicate entry '\[MASKED:secret-column:[0-9a-f]{6}\]' for key 'api_token'$/,
    );
    assert.match(messages[2]!, /^Truncated incorrect \w+ value: '\[MASKED:secret-column:[0-9a-f]{6}\]'$/);
    assert.deepEqual(leaksIn(db.dataDir, [MY_TOKEN, MY_OTHER_TOKEN]), []);
  } finally {
    await db.close();
  }
});
