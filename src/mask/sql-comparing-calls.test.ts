// A value beside a secret column inside a call that compares its arguments (`STRCMP(password,
// '…') = 0`), a value compared with a list naming one (`'…' IN (password, name)`), and a number
// compared with a measure of one (`length(password) > 8`), which stays readable. The first two
// recorded a password of words as typed before 6 December; the third masked the 8.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { assertLinearSteps } from '../../test/support/binding-steps.js';
import { createMasker } from './masker.js';
import { secretNameMatcher } from './secret-names.js';
import { secretBindings } from './sql-columns.js';

const masker = createMasker({ fingerprintKey: 'sql-comparing-calls-key-0123456' });
const S = 'tranquil walrus sipping lemonade';
const masked = (sql: string, parameters: string[] = []) =>
  masker.maskPayload({ statement: sql, parameters }, '') as { statement: string; parameters: string[] };

test('a value beside a secret column in a comparing call is masked; what the call gives is kept', () => {
  for (const [sql, kept] of [
    [`SELECT * FROM users WHERE STRCMP(password, '${S}') = 0`, ') = 0'],
    [`SELECT * FROM users WHERE 0 = STRCMP('${S}', u.password)`, 'WHERE 0 = STRCMP('],
    [`SELECT id FROM users WHERE LOCATE('${S}', password) > 0`, ') > 0'],
    [`SELECT id FROM users WHERE INSTR(password, '${S}') <> 1`, ') <> 1'],
    [`SELECT id FROM users WHERE position('${S}' in password) > 0`, ') > 0'],
    [`SELECT id FROM users WHERE strpos(password, '${S}') = 1`, ') = 1'],
    [`SELECT id FROM users WHERE FIELD(password, 'a', '${S}') > 0`, ') > 0'],
    [`SELECT id FROM users WHERE nullif(password, '${S}') IS NULL`, 'IS NULL'],
    [`SELECT STRCMP(lower(password), lower('${S}')) FROM users`, ' FROM users'],
    [`SELECT id FROM users WHERE starts_with(password, '${S}')`, 'WHERE starts_with('],
    // The larger or smaller of them (recorded as typed until 6 December).
    [`SELECT name FROM users WHERE greatest(password, '${S}') = password`, ') = password'],
    [`SELECT LEAST(u.password, '${S}') FROM users u`, ' FROM users u'],
  ]) {
    const out = masked(sql!).statement;
    assert.ok(!out.includes(S) && out.includes(kept!), `${sql}\n${out}`);
  }
  // Beside a measure, or beside other columns, the arguments keep their values.
  for (const sql of [
    'SELECT greatest(length(password), 8) FROM users',
    "SELECT greatest(updated_at, '2026-01-01') FROM users WHERE name = 'ann'",
  ])
    assert.equal(masked(sql).statement, sql);
  const out = masked('SELECT * FROM users WHERE STRCMP(password, ?) = 0', [S]);
  assert.ok(!out.parameters.includes(S), JSON.stringify(out));
});

test('a value compared with a list naming a secret column is masked', () => {
  for (const sql of [
    `SELECT name FROM users WHERE '${S}' IN (password, name)`,
    `SELECT name FROM users WHERE '${S}' NOT IN (name, u.password)`,
    `SELECT name FROM users WHERE lower('${S}') IN (lower(password), name)`,
  ]) {
    const out = masked(sql).statement;
    assert.ok(!out.includes(S), `${sql}\n${out}`);
  }
  const out = masked('SELECT name FROM users WHERE $1 IN (password, name)', [S]);
  assert.ok(!out.parameters.includes(S), JSON.stringify(out));
});

test('a value compared with a subquery selecting a secret column, or with ANY of a list naming one, is masked', () => {
  for (const sql of [
    `SELECT id FROM users WHERE (SELECT password FROM u LIMIT 1) = '${S}'`,
    `SELECT id FROM users WHERE '${S}' = (SELECT lower(password) FROM u WHERE id = 1)`,
    `SELECT id FROM users WHERE '${S}' IN (SELECT password FROM u)`,
    `SELECT id FROM users WHERE coalesce((SELECT password FROM u LIMIT 1), '') = '${S}'`,
    `SELECT id FROM users WHERE '${S}' = ANY (ARRAY[password, name])`,
    `SELECT id FROM users WHERE '${S}' <> ALL (SELECT api_token FROM tokens)`,
  ]) {
    const out = masked(sql).statement;
    assert.ok(!out.includes(S), `${sql}\n${out}`);
  }
  // The subquery's WHERE is other columns' business; a count is a measure; other lists keep theirs.
  for (const [sql, kept] of [
    ["SELECT id FROM t WHERE 'x' IN (SELECT password FROM u WHERE name = 'ann')", "name = 'ann')"],
    ["SELECT id FROM t WHERE 'y' = ANY (SELECT password FROM u WHERE name = 'bob')", "name = 'bob')"],
    ["SELECT id FROM t WHERE (SELECT count(password) FROM u WHERE name = 'ann') > 5", "name = 'ann') > 5"],
    ["SELECT id FROM t WHERE (SELECT name FROM u WHERE password IS NULL) = 'ann'", "IS NULL) = 'ann'"],
    ["SELECT id FROM t WHERE 'b' = ANY (ARRAY[name, nick])", "'b' = ANY"],
  ]) {
    const out = masked(sql!).statement;
    assert.ok(out.includes(kept!), `${sql}\n${out}`);
  }
});

test('a number compared with a measure of a secret column is kept; a string still binds', () => {
  for (const sql of [
    'SELECT name FROM users WHERE length(password) > 8',
    'SELECT name FROM users WHERE char_length(u.password) BETWEEN 8 AND 64',
    'SELECT name FROM users WHERE 8 < octet_length(password) AND count(password) > 0',
    'SELECT name FROM users WHERE length(password) IN (8, 9) OR length(coalesce(password, ?)) = $1',
    'SELECT name FROM users WHERE STRCMP(name, ?) = 0 AND ? IN (name, nick)',
  ])
    assert.equal(masked(sql).statement, sql);
  assert.deepEqual(masked('SELECT name FROM users WHERE length(password) = $1', ['8']).parameters, ['8']);
  for (const sql of [
    `SELECT id FROM users WHERE length(password) = length('${S}')`,
    `SELECT id FROM users WHERE char_length(password) > '${S}'`,
    `SELECT id FROM users WHERE lower(password) = '${S}'`,
    `SELECT id FROM users WHERE md5(password) = '${S}'`,
  ]) {
    const out = masked(sql).statement;
    assert.ok(!out.includes(S), `${sql}\n${out}`);
  }
});

test('property: a comparing call binds its other arguments, and a lone number beside a measure stays', () => {
  const secret = secretNameMatcher();
  fc.assert(
    fc.property(
      fc.constantFrom('strcmp', 'locate', 'instr', 'find_in_set', 'field', 'STRPOS'),
      fc.boolean(),
      fc.constantFrom('password', 'u.api_token', 'lower(password)', 'trim(u.secret)'),
      fc.constantFrom('=', '<>', '>', '<='),
      fc.nat(999),
      (fn, columnFirst, column, op, n) => {
        const args = columnFirst ? `${column}, '${S}'` : `'${S}', ${column}`;
        const sql = `SELECT 1 FROM users u WHERE ${fn}(${args}) ${op} ${n} AND length(${column}) ${op} ${n}`;
        const values = secretBindings(sql, secret).literals.map((l) => sql.slice(l.start, l.end));
        assert.deepEqual(values, [S], sql);
      },
    ),
  );
});

// Counted, as in sql-value-binder.test.ts: nested comparing calls, lists and measures are each
// read at their own level once.
test('comparing calls, value-first lists and measures are bound in a number of steps linear in their tokens', () => {
  for (const [open, close] of [
    ['strcmp(password, ', ')'],
    ["'x' IN (password, ", ')'],
    ['length(', ') > 8'],
    ['locate(password, nullif(', ", 'x'))"],
  ] as const) {
    assertLinearSteps(open, (n) => `SELECT ${open.repeat(n)}'${S}'${close.repeat(n)}`);
  }
  for (const unit of ["strcmp(password, 'x') = 0 ", "'x' IN (password, name) ", 'length(password) > 8 ']) {
    assertLinearSteps(unit, (n) => `SELECT 1 WHERE ${unit.repeat(n)}`);
  }
});
