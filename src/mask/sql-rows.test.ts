// Values bound to secret columns by position through a row (a VALUES list named by its alias's
// columns, INSERT … SELECT, SET (a, b) = (…)), a literal named by its alias, and the arguments of a
// function whose name says secret: each is masked inside its quotes, the rest of the statement
// kept. A password of words, which no text rule takes for a secret.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMasker } from './masker.js';

const masker = createMasker({ fingerprintKey: 'sql-rows-test-key-0123456789' });
const S = 'amber tide lullaby';
const M = '[MASKED:secret-column:';
const statement = (sql: string, parameters: string[] = []) =>
  masker.maskPayload({ statement: sql, parameters }, '') as { statement: string; parameters: string[] };

test('values bound through a row, an alias or a secret-named function are masked in place', () => {
  const cases: [string, string][] = [
    [
      `MERGE INTO users u USING (VALUES ('ann', '${S}')) AS s(name, password) ON u.name = s.name WHEN MATCHED THEN UPDATE SET password = s.password`,
      `(VALUES ('ann', '${M}`,
    ],
    [
      `MERGE INTO users USING (VALUES ('ann', '${S}'), ('bob', '${S}')) s(name, password) ON true WHEN NOT MATCHED THEN INSERT VALUES (s.name, s.password)`,
      `('bob', '${M}`,
    ],
    [`SELECT * FROM (VALUES ('ann', '${S}')) AS t(name, api_token)`, `(VALUES ('ann', '${M}`],
    [
      `WITH s(name, password) AS (VALUES ('ann', '${S}')) INSERT INTO users SELECT * FROM s`,
      `(VALUES ('ann', '${M}`,
    ],
    [`INSERT INTO users (name, password) SELECT 'ann', '${S}'`, `SELECT 'ann', '${M}`],
    [`INSERT INTO users (name, password) SELECT DISTINCT 'ann', '${S}' FROM dual`, `'ann', '${M}`],
    [`UPDATE users SET (name, password) = ('ann', '${S}') WHERE id = 1`, `= ('ann', '${M}`],
    [`UPDATE users SET email = 'a@b', (name, password) = ROW('ann', '${S}')`, `ROW('ann', '${M}`],
    [
      `MERGE INTO users USING (SELECT 'ann' AS name, '${S}' AS password) s ON users.name = s.name`,
      `'ann' AS name, '${M}`,
    ],
    [`CALL set_password('ann', '${S}')`, `CALL set_password('${M}`],
    [`SELECT set_password('ann', '${S}')`, 'SELECT set_password('],
    [`SELECT app.set_user_token('ann', '${S}')`, 'SELECT app.set_user_token('],
    [`SELECT vault.create_secret('${S}', 'stripe')`, 'SELECT vault.create_secret('],
    [`CALL change_password('ann', crypt('${S}', gen_salt('bf')))`, 'CALL change_password('],
  ];
  for (const [sql, kept] of cases) {
    const out = statement(sql).statement;
    assert.ok(!out.includes(S), `${sql} → ${out}`);
    assert.ok(out.includes(kept), `${sql} → ${out}`);
  }
});

test('bind parameters in those places are masked in parameters', () => {
  const cases = [
    'INSERT INTO users (name, password) SELECT $1, $2',
    'UPDATE users SET (name, password) = ($1, $2)',
    'SELECT * FROM (VALUES ($1, $2)) AS t(name, password)',
    'CALL set_password($1, $2)',
  ];
  for (const sql of cases) {
    const out = statement(sql, ['ann', S]);
    assert.ok(!JSON.stringify(out).includes(S), `${sql} → ${JSON.stringify(out)}`);
  }
});

test('rows, aliases and functions that name no secret stay', () => {
  for (const sql of [
    "MERGE INTO users USING (VALUES ('ann', 'Ann Lee')) AS s(name, full_name) ON users.name = s.name",
    "SELECT * FROM (VALUES (1, 'one'), (2, 'two')) AS t(id, label)",
    "WITH s(name, note) AS (VALUES ('ann', 'hello world')) SELECT * FROM s",
    "INSERT INTO users (name, full_name) SELECT 'ann', 'Ann Lee'",
    "UPDATE users SET (name, full_name) = ('ann', 'Ann Lee')",
    "SELECT 'hello' AS greeting, 'ann' AS name",
    "SELECT count_tokens('a b c')",
    "INSERT INTO api_token (name, scope) VALUES ('ci', 'read')",
    "CREATE TABLE secret (id int, label text DEFAULT 'none')",
    "SELECT * FROM password_resets WHERE requested_at > now() - interval '1 day'",
  ])
    assert.equal(statement(sql).statement, sql);
});
