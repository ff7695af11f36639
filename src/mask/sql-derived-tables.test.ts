// A derived table's column given to a secret column by a name that says nothing: a VALUES list's
// default names (`column2`, `column_1`) and a SELECT's aliases (`(SELECT '…' AS p) s … s.p`),
// also a CTE's. Each recorded a password of words as typed before 6 December; the tables whose
// columns go elsewhere keep their values, and hostile nesting stays linear.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createMasker } from './masker.js';
import { secretNameMatcher } from './secret-names.js';
import { secretBindings } from './sql-columns.js';

const masker = createMasker({ fingerprintKey: 'sql-derived-tables-key-01234567' });
const S = 'tranquil walrus sipping lemonade';
const T = 'quiet harbor lamp';
const masked = (sql: string) =>
  (masker.maskPayload({ statement: sql, parameters: [] }, '') as { statement: string }).statement;

test("a VALUES list's default column names given to a secret column are masked by position", () => {
  for (const sql of [
    `INSERT INTO users(name, password) SELECT column1, column2 FROM (VALUES ('ann', '${S}')) v`,
    `INSERT INTO users(name, password) SELECT v.column1, v.column2 FROM (VALUES ('ann', '${S}'), ('bob', '${T}')) AS v`,
    `INSERT INTO users(name, password) SELECT column_0, column_1 FROM (VALUES ROW('ann', '${S}')) AS v`,
    `UPDATE users SET password = v.column2 FROM (VALUES ('ann', '${S}')) v WHERE users.name = v.column1`,
  ]) {
    const out = masked(sql);
    assert.ok(!out.includes(S) && !out.includes(T) && out.includes("'ann'"), `${sql}\n${out}`);
  }
  // Another position, and a list with its own names, keep theirs.
  for (const sql of [
    "INSERT INTO users(name, password) SELECT column2, $1 FROM (VALUES ('ann', 'keep')) v",
    "INSERT INTO users(name, password) SELECT n, $1 FROM (VALUES ('ann', 'keep')) v(n, column2)",
  ])
    assert.equal(masked(sql), sql);
});

test("a derived SELECT's alias given to a secret column is masked, in each branch", () => {
  for (const sql of [
    `INSERT INTO users(name, password) SELECT n, p FROM (SELECT 'ann' AS n, '${S}' AS p) s`,
    `INSERT INTO users(name, password) SELECT n, p FROM (SELECT 'ann' AS n, 'x' AS p UNION ALL SELECT 'bob', '${S}') s`,
    `INSERT INTO users(name, password) SELECT s.n, s.p FROM (SELECT name AS n, 'keep' AS k, '${S}' p FROM t) AS s`,
    `INSERT INTO users(name, password) SELECT n, p FROM (SELECT 'ann', '${S}') s(n, p)`,
    `UPDATE users u JOIN (SELECT 'ann' AS n, '${S}' AS p) v ON u.name = v.n SET u.password = v.p`,
    `UPDATE users u SET password = s.pw FROM (SELECT 'ann' AS who, '${S}' pw) s WHERE u.name = s.who`,
    `WITH s AS (SELECT '${S}' AS p) INSERT INTO users(name, password) SELECT 'x', p FROM s`,
    `WITH s(n, p) AS (SELECT 'a', '${S}') INSERT INTO users(name, password) SELECT n, p FROM s`,
  ]) {
    const out = masked(sql);
    assert.ok(!out.includes(S), `${sql}\n${out}`);
    assert.ok(!sql.includes("'ann' AS n") || out.includes("'ann' AS n"), `${sql}\n${out}`);
  }
  for (const sql of [
    "SELECT n FROM (SELECT 'ann' AS n, 'keep me' AS p) s",
    "UPDATE users SET name = s.p FROM (SELECT 'Ann' AS p) s WHERE users.id = 1",
    "SELECT id FROM users WHERE name IN (SELECT 'ann' AS p) AND kind = 'x'",
  ])
    assert.equal(masked(sql), sql);
});

test("an INSERT's `SELECT *` from a derived table binds its values by position", () => {
  for (const sql of [
    `INSERT INTO users(name, password) SELECT * FROM (VALUES ('ann', '${S}')) v`,
    `INSERT INTO users(name, password) SELECT * FROM (SELECT 'ann', '${S}') s`,
    `INSERT INTO users(name, password) SELECT * FROM (SELECT 'ann' AS n, 'x' UNION SELECT 'bob', '${S}') s`,
  ]) {
    const out = masked(sql);
    assert.ok(!out.includes(S) && out.includes("'ann'"), `${sql}\n${out}`);
  }
  const sql = "INSERT INTO users(name, email) SELECT * FROM (VALUES ('ann', 'a@b.c')) v";
  assert.equal(masked(sql), sql);
});

test('property: the value a derived SELECT names and an outer statement gives to a secret column is bound alone', () => {
  const secret = secretNameMatcher();
  fc.assert(
    fc.property(
      fc.nat(3),
      fc.nat(3),
      fc.constantFrom('s', 'v'),
      fc.boolean(),
      fc.boolean(),
      (before, after, alias, as, qualified) => {
        const items = [
          ...Array.from({ length: before }, (_, i) => `'k${i}' AS a${i}`),
          `'${S}'${as ? ' AS' : ''} p`,
          ...Array.from({ length: after }, (_, i) => `'m${i}' b${i}`),
        ];
        const ref = qualified ? `${alias}.p` : 'p';
        const sql = `INSERT INTO users(name, password) SELECT 'x', ${ref} FROM (SELECT ${items.join(', ')}) ${alias}`;
        const values = secretBindings(sql, secret).literals.map((l) => sql.slice(l.start, l.end));
        assert.deepEqual(values, [S], sql);
      },
    ),
  );
});

// A scratch bound against a quadratic reading (minutes), not a measurement: every derived table
// and VALUES list is read at its own level once.
test('nested and repeated derived tables are read in time linear in the statement', {
  timeout: 60_000,
}, () => {
  const secret = secretNameMatcher();
  const shapes = [
    (n: number) => `UPDATE u SET password = s.p FROM ${'(SELECT 1 AS p FROM '.repeat(n)}t${') s'.repeat(n)}`,
    (n: number) => `UPDATE u SET password = s.p FROM ${"(SELECT 'a' AS n, 'b' AS p) s, ".repeat(n)}t`,
    (n: number) =>
      `INSERT INTO users(name, password) SELECT column1, column2 FROM ${'(VALUES ((SELECT 1 FROM '.repeat(n)}t${'))) v'.repeat(n)}`,
    (n: number) =>
      `WITH ${"s AS (SELECT 'x' AS p), ".repeat(n)}t AS (SELECT 1) INSERT INTO users(password) SELECT p FROM s`,
  ];
  for (const shape of shapes) {
    const started = performance.now();
    secretBindings(shape(40_000), secret);
    assert.ok(performance.now() - started < 20_000, shape(1));
  }
});
