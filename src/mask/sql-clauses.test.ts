// Values a statement carries where no column names them: a key given to pgcrypto or MySQL, the
// password crypt() hashes, a JSON document written as a literal, a camel-case quoted column.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMasker } from './masker.js';

const masker = createMasker({ fingerprintKey: 'sql-clauses-test-key-0123456789' });
const S = 'amber tide lullaby';
const statement = (sql: string) =>
  String(masker.maskPayload({ statement: sql, parameters: [] }, '').statement);

test('key arguments, JSON literal fields and camel-case quoted columns are masked in place', () => {
  const cases: [string, string][] = [
    [`SELECT pgp_sym_encrypt('payroll', '${S}')`, "pgp_sym_encrypt('payroll', '"],
    [`SELECT pgp_sym_decrypt(sealed::bytea, '${S}') FROM vault`, 'pgp_sym_decrypt(sealed::bytea, '],
    [`SELECT encode(encrypt('data', '${S}', 'aes'), 'hex')`, "', 'aes'), 'hex')"],
    [`SELECT HEX(AES_ENCRYPT('payroll', '${S}'))`, "AES_ENCRYPT('payroll', '"],
    [
      `INSERT INTO users (name, password_hash) VALUES ('bob', crypt('${S}', gen_salt('bf')))`,
      "('bob', crypt('",
    ],
    [`SELECT 1 FROM users WHERE password_hash = crypt('${S}', password_hash)`, ', password_hash)'],
    [`SELECT name FROM users WHERE hashed = crypt('${S}', hashed)`, "WHERE hashed = crypt('"],
    [
      `INSERT INTO t (name, settings) VALUES ('crm', '{"auth": {"api_key": "${S}"}}'::jsonb)`,
      '{"auth": {"api_key": "',
    ],
    [`UPDATE t SET config = '[{"client_secret": "${S}"}]' WHERE id = 1`, 'WHERE id = 1'],
    [`INSERT INTO t ("Name", "ApiToken") VALUES ('bob', '${S}')`, "VALUES ('bob', '"],
    [`UPDATE t SET "clientSecret" = '${S}'`, 'UPDATE t SET "clientSecret" = '],
  ];
  for (const [sql, kept] of cases) {
    const out = statement(sql);
    assert.ok(!out.includes(S), `${sql} → ${out}`);
    assert.ok(out.includes(kept), `${sql} → ${out}`);
    assert.match(out, /\[MASKED:secret-column:[0-9a-f]{6}\]/);
  }
});

test('other arguments and other JSON keys stay', () => {
  for (const sql of [
    "SELECT encode(digest('hello', 'sha256'), 'hex')",
    "SELECT gen_salt('bf')",
    `INSERT INTO t (name, settings) VALUES ('crm', '{"url": "https://crm.example", "retries": 3}')`,
    'INSERT INTO t ("Name", "Token_Count") VALUES (\'bob\', 5)',
    "SELECT * FROM crypt_log WHERE note = 'a b c'",
  ])
    assert.equal(statement(sql), sql);
});
