// A database's error message quotes the value it could not take: PostgreSQL's `invalid input syntax
// for type integer: "…"`, MySQL's `Duplicate entry '…' for key …` and `Incorrect integer value: '…'
// for column …`. A value bound to a secret-named column is masked in the statement's record by its
// column (secret-column), but in the error message nothing names the column near it: the result's
// record must mask it all the same, against the real servers, as literal and as bind parameter.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import mysql from 'mysql2/promise';
import type { StoredEvent } from '../../src/core/events.js';
import { alignReplacements, echoMasker, WITHHELD_MESSAGE } from '../../src/mask/value-echoes.js';
import { type MysqlFixture, startMysqlFixture } from '../mysql/mysql-gateway.js';
import {
  directClient,
  type PgFixture,
  pgEvents,
  startPgFixture,
  vigilClient,
} from '../postgres/pg-gateway.js';
import { dataDirFiles } from '../support/data-dir-files.js';
import { connectionEvents, TOKENS } from '../support/gateway.js';
import { mariadbUnavailable } from '../support/mariadb-server.js';

// Low entropy or short on purpose: only the column says they are secret.
const PIN_LITERAL = 'summer dance party';
const PG_TOKEN = 'Zq7xLm2pTa9Kd4Rw8Ns1';
const MY_TOKEN = 'Yp4Wn8Qs2Lx6Vb0Kd3Jf';
const MY_PARAM_TOKEN = 'Hc5Rt1Gm7Zk3Xw9Pq2Dv';
const MY_PIN = 'autumn leaf nine';

const secretColumn = /\[MASKED:secret-column:[0-9a-f]{6}\]/;

function leaks(dataDir: string, secrets: readonly string[]): string[] {
  const found: string[] = [];
  for (const { path, bytes } of dataDirFiles(dataDir)) {
    for (const s of secrets) {
      const at = bytes.indexOf(Buffer.from(s));
      if (at >= 0)
        found.push(
          `${path}: …${bytes.subarray(Math.max(0, at - 80), at + s.length + 20).toString('latin1')}…`,
        );
    }
  }
  return found;
}

const failures = (events: readonly StoredEvent[]) =>
  events
    .filter((e) => e.type === 'db.result' && e.payload?.error_message)
    .map((e) => String(e.payload!.error_message));

let pgf: PgFixture;
before(async () => {
  pgf = await startPgFixture('vigil_leak_error_echoes', { record_rows: 10 });
  const direct = directClient(pgf);
  await direct.connect();
  await direct.query('CREATE TABLE cards (id serial PRIMARY KEY, holder text, pin integer)');
  await direct.end();
});
after(async () => {
  await pgf?.close();
});

test('PostgreSQL: a secret-column value the server quotes in its error is masked in db.result', {
  timeout: 120_000,
}, async () => {
  const client = vigilClient(pgf);
  await client.connect();
  await assert.rejects(
    client.query(`INSERT INTO cards (holder, pin) VALUES ('ann', '${PIN_LITERAL}')`),
    new RegExp(PIN_LITERAL),
    'the client still gets the server error',
  );
  await assert.rejects(client.query(`UPDATE cards SET pin = '${PG_TOKEN}' WHERE holder = 'ann'`));
  await client.end();

  const messages = failures(await pgEvents(pgf));
  assert.equal(messages.length, 2, JSON.stringify(messages));
  for (const m of messages)
    assert.match(m, /^invalid input syntax for type integer: "\[MASKED:secret-column:/);
  assert.deepEqual(leaks(pgf.gateway.dataDir, [PIN_LITERAL, PG_TOKEN]), []);
});

test('MySQL: duplicate-entry and incorrect-value errors do not record the secret-column value', {
  timeout: 180_000,
  skip: mariadbUnavailable() ?? false,
}, async () => {
  const f: MysqlFixture = await startMysqlFixture('vigil_leak_error_echoes');
  try {
    const c = await mysql.createConnection({
      host: f.host,
      port: f.port,
      user: 'alice',
      password: TOKENS.alice,
      database: 'vigil_leak_error_echoes',
    });
    await c.query(
      'CREATE TABLE users (id int primary key auto_increment, name text, api_token varchar(64) unique, pin int)',
    );
    await c.query(`INSERT INTO users (name, api_token) VALUES ('a', '${MY_TOKEN}')`);
    await assert.rejects(
      c.query(`INSERT INTO users (name, api_token) VALUES ('b', '${MY_TOKEN}')`),
      /Duplicate entry/,
    );
    await c.execute('INSERT INTO users (name, api_token) VALUES (?, ?)', ['c', MY_PARAM_TOKEN]);
    await assert.rejects(
      c.execute('INSERT INTO users (name, api_token) VALUES (?, ?)', ['d', MY_PARAM_TOKEN]),
      /Duplicate entry/,
    );
    await assert.rejects(
      c.query(`INSERT INTO users (name, pin) VALUES ('e', '${MY_PIN}')`),
      /Incorrect integer value/,
    );
    await c.end();

    const messages = failures(await connectionEvents(f.gateway, 'my', 'db.result'));
    assert.equal(messages.length, 3, JSON.stringify(messages));
    for (const m of messages) assert.match(m, secretColumn);
    assert.deepEqual(leaks(f.gateway.dataDir, [MY_TOKEN, MY_PARAM_TOKEN, MY_PIN]), []);
  } finally {
    await f.close();
  }
});

test('echoes: each replaced value is found by the text around it; what cannot be aligned is withheld', () => {
  const raw = "INSERT INTO t (a, password) VALUES ('x', 'hunter two'), ('y', 'it''s me')";
  const masked =
    "INSERT INTO t (a, password) VALUES ('x', '[MASKED:secret-column:aaaaaa]'), ('y', '[MASKED:secret-column:bbbbbb]')";
  assert.deepEqual(alignReplacements(raw, masked), [
    ['hunter two', '[MASKED:secret-column:aaaaaa]'],
    ["it''s me", '[MASKED:secret-column:bbbbbb]'],
  ]);
  const mask = echoMasker(
    { statement: raw, parameters: ['p4ssw0rd-long-enough-value'] },
    { statement: masked, parameters: ['[MASKED:secret-column:cccccc]'] },
  );
  assert.equal(
    mask("Duplicate entry 'hunter two-p4ssw0rd-long-enou...' for key 'k'"),
    "Duplicate entry '[MASKED:secret-column:aaaaaa]-[MASKED:secret-column:cccccc]...' for key 'k'",
  );
  // A custom rule's own replacement format, or a record lost in fail-open mode: nothing is quoted.
  assert.equal(
    echoMasker({ statement: 'a b', parameters: [] }, { statement: 'a <x:1>', parameters: [] })('b'),
    WITHHELD_MESSAGE,
  );
  assert.equal(echoMasker({ statement: 'a b', parameters: [] }, null)('b'), WITHHELD_MESSAGE);
  assert.equal(
    echoMasker({ statement: 'a b', parameters: [] }, { statement: 'a b', parameters: [] })('b'),
    'b',
  );
});
