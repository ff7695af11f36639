// Values JSON functions put under secret-named keys are masked in place; other keys are kept.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMasker } from './masker.js';

const masker = createMasker({ fingerprintKey: 'sql-json-calls-test-key-0123' });
const S = 'summer dance party';
const masked = (sql: string) =>
  (masker.maskPayload({ statement: sql, parameters: [] }, '') as { statement: string }).statement;

test('values under secret keys of JSON builders and path setters are masked', () => {
  for (const sql of [
    `UPDATE users SET data = jsonb_set(data, '{password}', '"${S}"')`,
    `UPDATE users SET data = jsonb_set(data, '{auth,api_token}', to_jsonb('${S}'::text), true)`,
    `SELECT json_build_object('name', 'ann', 'api_token', '${S}')`,
    `UPDATE users SET doc = JSON_SET(doc, '$.name', 'ann', '$.user.password', '${S}')`,
    `UPDATE users SET doc = JSON_REPLACE(doc, '$."api_token"', '${S}')`,
    `UPDATE users SET doc = JSON_OBJECT('password', CONCAT('summer', ' dance party'))`,
  ]) {
    const out = masked(sql);
    assert.ok(!out.includes('summer') && !out.includes('dance'), out);
    assert.ok(out.includes('[MASKED:secret-column:'), out);
  }
});

test('values under other keys are kept', () => {
  const sql = `SELECT json_build_object('name', 'ann lee', 'city', 'old town'), jsonb_set(d, '{note}', '"a b c"')`;
  assert.equal(masked(sql), sql);
});
