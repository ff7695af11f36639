// Values compared with a secret column through a subquery, a function of several arguments, or a
// VALUES alias whose column says nothing. Each shape recorded its password of words as typed before
// 6 December; the look-alikes keep their values, and hostile shapes stay linear.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { assertLinearSteps } from '../../test/support/binding-steps.js';
import { createMasker } from './masker.js';
import { secretNameMatcher } from './secret-names.js';
import { secretBindings } from './sql-columns.js';

const masker = createMasker({ fingerprintKey: 'sql-comparisons-calls-key-012345' });
const S = 'correct horse battery staple';
const T = 'quiet harbor lamp';
const statement = (sql: string, parameters: (string | number)[] = []) =>
  masker.maskPayload({ statement: sql, parameters }, '') as {
    statement: string;
    parameters: (string | number)[];
  };

test('a value a subquery gives to a secret column is masked', () => {
  for (const sql of [
    `SELECT id FROM users WHERE password IN (SELECT '${S}')`,
    `SELECT id FROM users WHERE password NOT IN (SELECT DISTINCT '${S}' FROM dual)`,
    `SELECT id FROM users WHERE password IN (SELECT '${T}' UNION ALL SELECT '${S}')`,
    `SELECT id FROM users WHERE password IN (VALUES ('${T}'), ('${S}'))`,
    `SELECT id FROM users WHERE password = (SELECT '${S}')`,
    `SELECT id FROM users WHERE password = ANY (ARRAY['${T}', '${S}'])`,
    `SELECT id FROM users WHERE password = ANY('{"${S}"}'::text[])`,
    `SELECT id FROM users WHERE password = ANY (SELECT '${S}')`,
    `SELECT id FROM users WHERE lower(password) IN (SELECT lower('${S}'))`,
  ]) {
    const out = statement(sql).statement;
    assert.ok(!out.includes(S), `${sql}\n${out}`);
  }
});

test("a subquery's other clauses keep their values", () => {
  for (const sql of [
    "SELECT name FROM users WHERE id IN (SELECT id FROM t WHERE note = 'x')",
    "SELECT name FROM users WHERE id IN (SELECT id FROM t WHERE note IN (SELECT 'y'))",
    "SELECT name FROM users WHERE name IN (SELECT 'ann' UNION SELECT 'bob')",
  ])
    assert.equal(statement(sql).statement, sql);
  const out = statement(
    "SELECT id FROM users WHERE password IN (SELECT password FROM old WHERE name = 'ann')",
  ).statement;
  assert.ok(out.endsWith("WHERE name = 'ann')"), out);
});

test('a value compared with a call whose arguments name a secret column is masked, on either side', () => {
  for (const sql of [
    `SELECT id FROM users WHERE coalesce(password, '') = '${S}'`,
    `SELECT id FROM users WHERE coalesce('', u.password) = '${S}'`,
    `SELECT id FROM users WHERE nullif('x', password) = '${S}'`,
    `SELECT id FROM users WHERE trim(password) = '${S}'`,
    `SELECT id FROM users WHERE trim(both ' ' from password) = '${S}'`,
    `SELECT id FROM users WHERE upper(password) LIKE '${S}'`,
    `SELECT id FROM users WHERE lower(trim(password)) = '${S}'`,
    `SELECT id FROM users WHERE concat(salt, password) <> '${S}'`,
    `SELECT id FROM users WHERE '${S}' = coalesce(password, '')`,
    `SELECT id FROM users WHERE '${S}' = lower(trim(password))`,
    `SELECT id FROM users WHERE '${S}' = (u.password)`,
    `SELECT id FROM users WHERE CAST(password AS text) = '${S}'`,
  ]) {
    const out = statement(sql).statement;
    assert.ok(!out.includes(S), `${sql}\n${out}`);
  }
  const out = statement('SELECT id FROM users WHERE $1 = coalesce(password, $2)', [S, '']);
  assert.ok(!out.parameters.includes(S), JSON.stringify(out.parameters));
});

test('calls of other columns, rows and subqueries keep their values', () => {
  for (const sql of [
    "SELECT id FROM users WHERE coalesce(name, '') = 'ann' AND lower(kind) = 'staff'",
    "SELECT id FROM users WHERE 'ann' = coalesce(nickname, name)",
    "SELECT id FROM users WHERE (SELECT count(*) FROM logins WHERE password IS NULL) = 3 AND name = 'ann'",
    "SELECT id FROM users WHERE coalesce((SELECT password FROM old LIMIT 1), '') IS NULL AND name = 'ann'",
  ])
    assert.equal(statement(sql).statement, sql);
  // A row compared with a row is bound by position (sql-rows.ts): the name stays.
  const row = statement(`UPDATE users SET (name, password) = ('ann', '${S}')`).statement;
  assert.ok(row.includes("('ann', '") && !row.includes(S), row);
});

test("a VALUES alias's column given to a secret column has its values masked by position", () => {
  for (const sql of [
    `UPDATE users SET password = v.p FROM (VALUES ('ann', '${S}')) v(n, p) WHERE users.name = v.n`,
    `UPDATE users SET password = v.p::text FROM (VALUES ('ann', '${S}'), ('bob', '${T}')) AS v (n, p) WHERE users.name = v.n`,
    `INSERT INTO users (name, password) SELECT n, p FROM (VALUES ('ann', '${S}')) v(n, p)`,
    `WITH v(n, p) AS (VALUES ('ann', '${S}')) UPDATE users SET password = v.p FROM v WHERE users.name = v.n`,
    `SELECT id FROM users u JOIN (VALUES ('${S}')) AS v(p) ON u.password = v.p`,
  ]) {
    const out = statement(sql).statement;
    assert.ok(!out.includes(S) && !out.includes(T), `${sql}\n${out}`);
    assert.ok(out.includes("'ann'") || !sql.includes("'ann'"), `${sql}\n${out}`);
  }
  // Another alias's column of the same name, and an alias column given to a plain one, are kept.
  for (const sql of [
    "UPDATE users SET password = v.p FROM (VALUES ('ann', 'x')) w(n, p), (VALUES ('x')) v(p) WHERE users.name = w.n",
    "UPDATE users SET name = v.p FROM (VALUES (1, 'Ann')) v(i, p) WHERE users.id = v.i",
  ]) {
    const out = statement(sql).statement;
    assert.ok(out.includes("('ann', 'x')") || out.includes("(1, 'Ann')"), `${sql}\n${out}`);
  }
});

test('property: a call naming a secret column among any arguments, at any depth, binds the value it is compared with', () => {
  const secret = secretNameMatcher();
  const argument = fc.constantFrom("''", 'NULL', 'name', "'x'", '1', 'now()', "lower('y')");
  fc.assert(
    fc.property(
      fc.array(argument, { maxLength: 3 }),
      fc.array(argument, { maxLength: 3 }),
      fc.constantFrom('coalesce', 'nullif', 'concat', 'greatest', 'f'),
      fc.constantFrom('', 'lower', 'md5'),
      fc.constantFrom('=', '<>', 'LIKE'),
      fc.boolean(),
      (before, after, fn, outer, op, valueFirst) => {
        const call = `${fn}(${[...before, 'u.password', ...after].join(', ')})`;
        const operand = outer === '' ? call : `${outer}(${call})`;
        const sql =
          valueFirst && op !== 'LIKE'
            ? `SELECT 1 FROM users u WHERE '${S}' ${op} ${operand}`
            : `SELECT 1 FROM users u WHERE ${operand} ${op} '${S}'`;
        const { literals } = secretBindings(sql, secret);
        assert.ok(
          literals.some((l) => sql.slice(l.start, l.end) === S),
          sql,
        );
      },
    ),
  );
});

// Counted, not timed, as in sql-value-binder.test.ts: calls nested in calls, each compared, and
// subqueries nested in IN lists must not be read again per level.
test('calls, subqueries and VALUES aliases are bound in a number of steps linear in their tokens', () => {
  for (const [open, close] of [
    ['coalesce(password, ', ") = 'x'"],
    ['password IN (SELECT ', ' FROM t)'],
    ["'x' = lower(", ', password)'],
    ['(SELECT password IN (VALUES (', ')))'],
  ] as const) {
    assertLinearSteps(open, (n) => `SELECT ${open.repeat(n)}'${S}'${close.repeat(n)}`);
  }
  for (const unit of ["password = v.p FROM (VALUES ('a', 'b')) v(n, p) ", "coalesce(password, '') = 'x' "]) {
    assertLinearSteps(unit, (n) => `UPDATE users SET ${unit.repeat(n)}`);
  }
});

test('deeply nested calls around a secret column are read without taking the stack or time', {
  timeout: 60_000,
}, () => {
  const sql = `SELECT id FROM users WHERE ${'lower('.repeat(50_000)}password${')'.repeat(50_000)} = '${S}'`;
  const started = performance.now();
  assert.ok(!statement(sql).statement.includes(S));
  // A scratch bound against a quadratic reading (minutes), not a measurement.
  assert.ok(performance.now() - started < 30_000);
});
