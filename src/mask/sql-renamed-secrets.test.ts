// A name the statement gives a secret column's value (an alias, a column list, a view in the same
// text) compared later in it: the value was recorded as typed until 6 December. A measure's alias
// keeps its number, and the reader stays linear.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { secretNameMatcher } from './secret-names.js';
import { secretBindings } from './sql-columns.js';
import { matchingParens } from './sql-parens.js';
import { type RenameSteps, renamedSecrets } from './sql-renamed-secrets.js';
import { tokenizeSql } from './sql-tokens.js';

const secret = secretNameMatcher();
const S = 'frosty quill meadow';
const bound = (sql: string) => secretBindings(sql, secret).literals.map((l) => sql.slice(l.start, l.end));

test('a value compared with a name given to a secret column is bound', () => {
  for (const sql of [
    `SELECT name FROM (SELECT name, password AS p FROM users) s WHERE p = '${S}'`,
    `SELECT name FROM (SELECT name, u.password p FROM users u) s WHERE s.p LIKE '${S}'`,
    `WITH s AS (SELECT name, password::text AS p FROM users) SELECT name FROM s WHERE s.p = '${S}'`,
    `WITH s(n, x) AS (SELECT name, password FROM users) SELECT n FROM s WHERE x = '${S}'`,
    `SELECT 1 FROM (SELECT id, api_token FROM users) s(i, t) WHERE '${S}' = t`,
    `SELECT 1 FROM (SELECT upper(password) AS up FROM users) s WHERE up = '${S}'`,
    `SELECT 1 FROM (SELECT *, password AS p FROM users) s WHERE p = '${S}'`,
    `CREATE VIEW v AS SELECT name, password AS p FROM users; SELECT name FROM v WHERE p = '${S}'`,
  ])
    assert.deepEqual(bound(sql), [S], sql);
});

test('a measure of a secret column, and a name given to another column, keep their values', () => {
  for (const sql of [
    'SELECT name FROM (SELECT name, length(password) AS n FROM users) s WHERE n > 8',
    "SELECT name FROM (SELECT name AS p, password FROM users) s WHERE p = 'ann'",
    "SELECT name FROM (SELECT count(password) c FROM users) s WHERE c = 3 AND name = 'x'",
    "SELECT p FROM users WHERE p = 'keep'",
    // A condition in parentheses after a subquery is no column list.
    "SELECT 1 FROM users WHERE password IN (SELECT password FROM old) AND (name = 'ann' OR id = 2)",
  ])
    assert.deepEqual(bound(sql), [], sql);
});

test('property: the value compared with a renamed secret column is bound alone', () => {
  fc.assert(
    fc.property(
      fc.nat(3),
      fc.nat(3),
      fc.constantFrom('password', 'u.password', 'upper(u.api_token)', 'password::text'),
      fc.constantFrom(' AS x', ' x'),
      fc.constantFrom('=', '<>', 'LIKE', '>='),
      fc.boolean(),
      (before, after, column, alias, op, qualified) => {
        const items = [
          ...Array.from({ length: before }, (_, i) => `a${i}`),
          `${column}${alias}`,
          ...Array.from({ length: after }, (_, i) => `'k${i}' AS b${i}`),
        ];
        const ref = qualified ? 's.x' : 'x';
        const sql = `SELECT a0 FROM (SELECT ${items.join(', ')} FROM users u) s WHERE a0 = 'ann' AND ${ref} ${op} '${S}'`;
        assert.deepEqual(bound(sql), [S], sql);
      },
    ),
  );
});

test('nested and repeated select lists are read in steps linear in their tokens', () => {
  const steps = (sql: string) => {
    const tokens = tokenizeSql(sql);
    const counter: RenameSteps = { steps: 0 };
    renamedSecrets(sql, tokens, matchingParens(tokens), secret, counter);
    return { steps: counter.steps, tokens: tokens.length };
  };
  for (const shape of [
    (n: number) => `SELECT ${'upper((SELECT password AS p, '.repeat(n)}1${')) AS q'.repeat(n)}`,
    (n: number) => `SELECT * FROM ${'(SELECT password AS p FROM '.repeat(n)}users${') s'.repeat(n)}`,
    (n: number) => `SELECT ${'password p, upper(password) q, '.repeat(n)}1 FROM users`,
    (n: number) => `WITH ${'s(a, b) AS (SELECT id, password FROM u), '.repeat(n)}t AS (SELECT 1) SELECT 1`,
  ]) {
    const small = steps(shape(2_000));
    const large = steps(shape(8_000));
    assert.ok(large.steps <= 4 * large.tokens, `${shape(1)}: ${large.steps} for ${large.tokens}`);
    assert.ok(large.steps <= 4.5 * small.steps, `${shape(1)}: ${small.steps} → ${large.steps}`);
  }
});
