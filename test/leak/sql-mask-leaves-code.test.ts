// A text rule's match may run past the secret it is shaped for, and what it covers is hidden from
// the record and from the reviewer of a held statement. Until 6 December a private key's header
// written in a comment took the next line with it: `… WHERE id = 1 -- -----BEGIN PRIVATE KEY-----⏎
// OR true` was recorded as `… WHERE id = 1 -- [MASKED:private-key:…]`, while the statement changed
// every row. Now a match that begins in a comment or a string stops where the statement's code
// resumes, and keys written as SQL holds them (in a string literal, in `--` lines, in a block
// comment) are still masked whole. Through the gateway to a real PostgreSQL with node-postgres.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateTestKeys } from '../support/private-keys.js';
import { startPostgresLeakGateway, statementsOf } from './database-gateways.js';
import { leaksIn } from './logged-gateway.js';

test('a key header in a comment does not hide the code after it; keys in strings and comments stay masked', {
  timeout: 120_000,
}, async () => {
  const db = await startPostgresLeakGateway(
    'vigil_leak_sql_code',
    `CREATE TABLE accounts (id int, balance int);
     INSERT INTO accounts VALUES (1, 10), (2, 20);
     CREATE TABLE keys (id int, k text)`,
  );
  try {
    const client = await db.connect();
    const update = await client.query(
      'UPDATE accounts SET balance = 0 WHERE id = 1\n-- -----BEGIN PRIVATE KEY-----\nOR true',
    );
    assert.equal(update.rowCount, 2, 'the statement changed every row');
    const [pkcs8, , rsa, ed] = generateTestKeys();
    await client.query(`INSERT INTO keys VALUES (1, '${pkcs8!.pem.trim()}')`);
    const commented = rsa!.pem
      .trim()
      .split('\n')
      .map((line) => `-- ${line}`)
      .join('\n');
    await client.query(`SELECT 1 AS one\n${commented}\n`);
    await client.query(`/* ${ed!.pem.trim()} */ SELECT 2 AS two`);
    await client.end();

    const statements = await statementsOf(db.gateway, 'pg');
    const recorded = statements.find((s) => s.startsWith('UPDATE accounts'));
    assert.match(
      recorded ?? '',
      /^UPDATE accounts SET balance = 0 WHERE id = 1\n-- \[MASKED:private-key:[0-9a-f]+\]\nOR true$/,
    );
    assert.ok(
      statements.some((s) => s.startsWith('/* [MASKED:private-key:') && s.endsWith('*/ SELECT 2 AS two')),
    );
    const keyBytes = [pkcs8!, rsa!, ed!].flatMap((k) => k.bodyLines);
    assert.deepEqual(leaksIn(db.dataDir, keyBytes), []);
  } finally {
    await db.close();
  }
});
