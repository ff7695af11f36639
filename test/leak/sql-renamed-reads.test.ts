// A secret column renamed where the result's text cannot show it, sent through the gateway to the
// real PostgreSQL: a cursor declared over `password AS q`, fetched by a statement that names
// nothing secret (by the simple and the extended protocol), a `SELECT password AS p` padded past
// the length the masker reads, and a whole row read as one value (`SELECT u FROM users u`, which
// PostgreSQL writes as `(1,ann,"…")`). Their cells were recorded in clear until 6 December.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { QueryConfig } from 'pg';
import { recordedOf, startPostgresLeakGateway } from './database-gateways.js';
import { leaksIn } from './logged-gateway.js';

const PASSWORD = 'juniper tide compass';
const WITHHELD = '(withheld: derived from a secret column)';

test('PostgreSQL: rows fetched from a cursor over a renamed secret column, a padded SELECT and whole rows are withheld', {
  timeout: 120_000,
}, async () => {
  const db = await startPostgresLeakGateway(
    'vigil_leak_sql_renamed',
    `CREATE TABLE users (id int, name text, password text); INSERT INTO users VALUES (1, 'ann', '${PASSWORD}');
     CREATE TABLE tag (id int, tag text); INSERT INTO tag VALUES (1, 'urgent')`,
  );
  try {
    const client = await db.connect();
    await client.query('BEGIN');
    await client.query('DECLARE c SCROLL CURSOR FOR SELECT name, password AS q FROM users');
    const simple = await client.query('FETCH ALL FROM c');
    await client.query('MOVE ABSOLUTE 0 IN c');
    const extended = await client.query({ name: 'fetch-next', text: 'FETCH NEXT FROM c' });
    await client.query('COMMIT');
    const padded = await client.query(`SELECT id, password AS p FROM users /* ${'x'.repeat(210_000)} */`);
    const whole = await client.query('SELECT id, u FROM users u');
    // pg's binary results (the option is not in its types).
    const binaryQuery = { text: 'SELECT array_agg(u) FROM users u', binary: true } as QueryConfig;
    const binary = await client.query(binaryQuery);
    // A column named as its table is a column (PostgreSQL reads it so): kept.
    const column = await client.query('SELECT tag FROM tag');
    // The client reads the values; only the record withholds them.
    for (const r of [simple, extended]) assert.equal(r.rows[0].q, PASSWORD);
    assert.equal(padded.rows[0].p, PASSWORD);
    assert.equal(whole.rows[0].u, `(1,ann,"${PASSWORD}")`);
    assert.ok(Buffer.from(binary.rows[0].array_agg).includes(PASSWORD));
    assert.equal(column.rows[0].tag, 'urgent');
    await client.end();
    const results = await recordedOf(db.gateway, 'pg', 'db.result');
    assert.equal(
      results.filter((r) => r.includes(`["ann","${WITHHELD}"]`)).length,
      2,
      results.join('\n').slice(0, 4000),
    );
    const recorded = results.join('\n').slice(0, 4000);
    assert.ok(
      results.some((r) => r.includes(`["${WITHHELD}","${WITHHELD}"]`)),
      recorded,
    );
    assert.ok(
      results.some((r) => r.includes(`["1","${WITHHELD}"]`)),
      recorded,
    );
    assert.ok(
      results.some((r) => r.includes(`[["${WITHHELD}"]]`)),
      recorded,
    );
    assert.ok(
      results.some((r) => r.includes('[["urgent"]]')),
      recorded,
    );
    await db.gateway.close();
    assert.deepEqual(leaksIn(db.dataDir, [PASSWORD]), []);
  } finally {
    await db.close();
  }
});
