// A password passed to SQL EXECUTE reaches its column through the prepared statement's parameter,
// which the EXECUTE's own text does not name: `EXECUTE add_user('ann', 'summer dance party')` was
// recorded in clear until 5 December. The db.query now carries the text behind the name
// (`named_statements`), and the argument is masked as the parameter it binds, whether the statement
// was prepared in SQL (PREPARE ... AS) or with the protocol's Parse. Through the gateway, against a
// real PostgreSQL, with psql and node-postgres; nothing of the passwords reaches the data directory.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { dataDirFiles } from '../support/data-dir-files.js';
import { TOKENS } from '../support/gateway.js';
import {
  directClient,
  type PgFixture,
  pgEvents,
  runClient,
  startPgFixture,
  vigilClient,
} from './pg-gateway.js';

let f: PgFixture;
before(async () => {
  f = await startPgFixture('vigil_mask_execute', { record_rows: 10 });
  const direct = directClient(f);
  await direct.connect();
  await direct.query('CREATE TABLE users (id serial PRIMARY KEY, name text, password text)');
  await direct.end();
});
after(async () => {
  await f?.close();
});

/** The recorded db.query whose statement starts with `prefix`. */
async function recorded(prefix: string) {
  const query = (await pgEvents(f)).find(
    (e) => e.type === 'db.query' && String(e.payload?.statement).startsWith(prefix),
  );
  assert.ok(query, `${prefix} is recorded`);
  return query.payload!;
}

function assertNowhereInDataDir(secrets: readonly string[]): void {
  for (const { path, bytes } of dataDirFiles(f.gateway.dataDir)) {
    for (const secret of secrets) assert.ok(!bytes.includes(Buffer.from(secret)), `${path} holds ${secret}`);
  }
}

test('psql: EXECUTE of a statement PREPAREd in SQL masks the argument bound to the password column', {
  timeout: 120_000,
}, async () => {
  // Low entropy on purpose: only the column the parameter binds says it is secret.
  const passwords = ['summer dance party', 'autumn leaf tune'];
  const sql = [
    'PREPARE add_user(text, text) AS INSERT INTO users(name, password) VALUES ($1, $2)',
    `EXECUTE add_user('ann', '${passwords[0]}')`,
    // An argument built by an expression binds the column all the same.
    `EXECUTE ADD_USER('bob', upper('${passwords[1]}'))`,
  ];
  const run = await runClient(
    'psql',
    ['-X', '-v', 'ON_ERROR_STOP=1', ...sql.flatMap((s) => ['-c', s])],
    f,
    TOKENS.alice,
  );
  assert.equal(run.code, 0, run.stderr);

  const first = await recorded("EXECUTE add_user('ann'");
  assert.match(
    String(first.statement),
    /^EXECUTE add_user\('ann', '\[MASKED:secret-column:[0-9a-f]{6}\]'\)$/,
  );
  assert.deepEqual(first.named_statements, [{ name: 'add_user', statement: sql[0] }]);
  const second = await recorded("EXECUTE ADD_USER('bob'");
  assert.match(String(second.statement), /upper\('\[MASKED:secret-column:[0-9a-f]{6}\]'\)/);

  await f.gateway.recorder.drain();
  assertNowhereInDataDir(passwords);
});

test('node-postgres: EXECUTE of a statement prepared with Parse, and a PREPARE text holding a literal password', {
  timeout: 120_000,
}, async () => {
  const passwords = ['winter frost bell', 'spring rain song'];
  const client = vigilClient(f);
  await client.connect();
  // Parse as `by_parse`, then run it by name from SQL.
  await client.query({
    name: 'by_parse',
    text: 'INSERT INTO users(name, password) VALUES ($1, $2)',
    values: ['x', 'y'],
  });
  await client.query(`EXECUTE by_parse('cid', '${passwords[0]}')`);
  // The text behind the name is recorded again with each EXECUTE: masked as the PREPARE was.
  await client.query(`PREPARE fixed AS INSERT INTO users(name, password) VALUES ('dan', '${passwords[1]}')`);
  await client.query('EXECUTE fixed');
  await client.end();

  const byParse = await recorded("EXECUTE by_parse('cid'");
  assert.match(
    String(byParse.statement),
    /^EXECUTE by_parse\('cid', '\[MASKED:secret-column:[0-9a-f]{6}\]'\)$/,
  );
  const fixed = await recorded('EXECUTE fixed');
  const [behind] = fixed.named_statements as { name: string; statement: string }[];
  assert.equal(behind!.name, 'fixed');
  assert.match(behind!.statement, /VALUES \('dan', '\[MASKED:secret-column:[0-9a-f]{6}\]'\)$/);

  const direct = directClient(f);
  await direct.connect();
  const stored = await direct.query('SELECT name, password FROM users ORDER BY id');
  await direct.end();
  assert.ok(
    stored.rows.some((r) => r.name === 'cid' && r.password === passwords[0]),
    'the server got the real value',
  );

  await f.gateway.recorder.drain();
  assertNowhereInDataDir(passwords);
});
