// Through the gateway against a real PostgreSQL: a password bound with a prepared statement is
// masked in db.query (its column says so, not its shape), and a password column read back is
// masked in db.result; nothing of either value reaches the data directory.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { dataDirFiles } from '../support/data-dir-files.js';
import { directClient, type PgFixture, pgEvents, startPgFixture, vigilClient } from './pg-gateway.js';

let f: PgFixture;
before(async () => {
  f = await startPgFixture('vigil_mask_columns', { record_rows: 10 });
  const direct = directClient(f);
  await direct.connect();
  await direct.query('CREATE TABLE users (id serial PRIMARY KEY, name text, password text)');
  await direct.end();
});
after(async () => {
  await f?.close();
});

test('prepared INSERT INTO users(name, password) VALUES ($1, $2) and SELECT password FROM users', {
  timeout: 120_000,
}, async () => {
  // Low entropy on purpose: only the column name says it is secret.
  const password = 'summer dance party';
  const client = vigilClient(f);
  await client.connect();
  await client.query({
    name: 'add-user',
    text: 'INSERT INTO users(name, password) VALUES ($1, $2)',
    values: ['ann', password],
  });
  const read = await client.query('SELECT name, password FROM users');
  assert.equal(read.rows[0].password, password, 'the client still gets the real value');
  await client.end();

  const events = await pgEvents(f);
  const insert = events.find(
    (e) => e.type === 'db.query' && String(e.payload?.statement).startsWith('INSERT'),
  );
  assert.ok(insert, 'the INSERT is recorded');
  const params = insert.payload!.parameters as string[];
  assert.equal(params[0], 'ann');
  assert.match(params[1]!, /^\[MASKED:secret-column:[0-9a-f]{6}\]$/);
  const result = events.find(
    (e) => e.type === 'db.result' && (e.payload?.columns as string[] | undefined)?.includes('password'),
  );
  assert.ok(result, 'the SELECT result is recorded');
  const rows = result.payload!.rows as string[][];
  assert.equal(rows[0]![0], 'ann');
  assert.match(rows[0]![1]!, /^\[MASKED:secret-column:[0-9a-f]{6}\]$/);

  await f.gateway.recorder.drain();
  for (const { path, bytes } of dataDirFiles(f.gateway.dataDir)) {
    assert.ok(!bytes.includes(Buffer.from(password)), `${path} holds the password`);
  }
});
