import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import { checkSettingChanges } from './lexical-settings.js';
import { SqlClassifier } from './sql-classifier.js';

let c: SqlClassifier;
before(async () => {
  c = await SqlClassifier.create(2048, { byShape: false });
});

const refusal = (sql: string) =>
  checkSettingChanges(c.classify(sql).flatMap((s) => s.settings))?.code ?? null;

test("a function's SET clause of a pinned setting is refused: the server reads the body under it", () => {
  for (const sql of [
    "CREATE FUNCTION f() RETURNS void LANGUAGE sql SET standard_conforming_strings = off AS 'SELECT 1'",
    'CREATE PROCEDURE p() LANGUAGE sql SET standard_conforming_strings TO false AS $$ SELECT 1 $$',
    'ALTER FUNCTION f() SET standard_conforming_strings = off',
    'ALTER FUNCTION f() SET client_encoding = LATIN1',
    "SELECT query_to_xml('SELECT set_config(''standard_conforming_strings'', ''off'', false)', true, true, '')",
  ]) {
    assert.equal(refusal(sql), 'setting_pinned', sql);
  }
  for (const sql of [
    'ALTER FUNCTION f() SET standard_conforming_strings = on',
    'ALTER FUNCTION f() RESET standard_conforming_strings',
    'ALTER FUNCTION f() SET search_path = public',
    // Other sessions: checked when they log in.
    'ALTER ROLE r SET standard_conforming_strings = off',
    'ALTER DATABASE d SET standard_conforming_strings = off',
  ]) {
    assert.equal(refusal(sql), null, sql);
  }
});

test('property: a function SET clause of standard_conforming_strings passes exactly when it reads as on', () => {
  fc.assert(
    fc.property(
      fc.constantFrom('on', 'off', 'true', 'false', 'yes', 'no', '1', '0', 't', 'f', 'of', 'ye'),
      fc.constantFrom('=', 'TO'),
      (value, op) => {
        const sql = `ALTER FUNCTION f() SET standard_conforming_strings ${op} '${value}'`;
        const on = ['on', 'true', 'yes', '1', 't', 'ye'].includes(value);
        assert.equal(refusal(sql), on ? null : 'setting_pinned', sql);
      },
    ),
  );
});
