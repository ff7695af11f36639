// A set operation's later branch fills its first branch's columns by position: a literal under a
// secret column there (`SELECT name, password FROM users INTERSECT SELECT 'ann', '…'`) was recorded
// as typed until 6 December. Other positions, measures and stars keep their values; linear.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { secretNameMatcher } from './secret-names.js';
import { secretBindings } from './sql-columns.js';
import { matchingParens } from './sql-parens.js';
import type { RenameSteps } from './sql-renamed-secrets.js';
import { bindSetBranches } from './sql-set-branches.js';
import { tokenizeSql } from './sql-tokens.js';

const secret = secretNameMatcher();
const S = 'granite moth ballad';
const bound = (sql: string) => secretBindings(sql, secret).literals.map((l) => sql.slice(l.start, l.end));

test("a later branch's value under the first branch's secret column is bound", () => {
  for (const sql of [
    `SELECT name, password FROM users INTERSECT SELECT 'ann', '${S}'`,
    `SELECT password FROM users WHERE id = 1 UNION SELECT '${S}'`,
    `(SELECT name, upper(u.password) AS p FROM users u) EXCEPT ((SELECT 'ann', '${S}'))`,
    `SELECT id, api_token::text FROM users UNION ALL SELECT 2, 'x' UNION ALL SELECT 3, '${S}'`,
    `SELECT 1 FROM t WHERE (name, password) IN (SELECT name, password FROM users INTERSECT SELECT 'ann', '${S}')`,
  ])
    assert.ok(bound(sql).includes(S) && !bound(sql).includes('ann'), sql);
});

test('other positions, measures, stars and subqueries keep their values', () => {
  for (const sql of [
    "SELECT name, length(password) FROM users UNION SELECT 'ann', 8",
    "SELECT * FROM users EXCEPT SELECT 1, 'ann', 'x'",
    "SELECT name FROM t WHERE id IN (SELECT password FROM u) UNION SELECT 'zed'",
    "SELECT a FROM (SELECT password FROM u) s UNION SELECT 'kept'",
    "SELECT name, note FROM t UNION SELECT 'ann', 'note'",
  ])
    assert.deepEqual(bound(sql), [], sql);
});

test('property: the value at the secret position of any later branch is bound alone', () => {
  fc.assert(
    fc.property(
      fc.nat(3),
      fc.nat(3),
      fc.nat(3),
      fc.constantFrom('password', 'u.password', 'lower(password)', 'password AS p', 'api_key::text k'),
      fc.constantFrom('UNION', 'UNION ALL', 'INTERSECT', 'EXCEPT'),
      fc.boolean(),
      (before, after, branches, column, operator, wrapped) => {
        const head = [
          ...Array.from({ length: before }, (_, i) => `a${i}`),
          column,
          ...Array.from({ length: after }, (_, i) => `b${i}`),
        ];
        const later = (b: number) => {
          const items = head.map((_, i) => (i === before ? `'${S}${b}'` : `'k${i}'`));
          const select = `SELECT ${items.join(', ')}`;
          return wrapped ? `(${select})` : select;
        };
        const sql = [
          `SELECT ${head.join(', ')} FROM users u`,
          ...Array.from({ length: branches + 1 }, (_, b) => later(b)),
        ].join(` ${operator} `);
        const expected = Array.from({ length: branches + 1 }, (_, b) => `${S}${b}`);
        assert.deepEqual(bound(sql), expected, sql);
      },
    ),
  );
});

test('nested and repeated branches are read in steps linear in their tokens', () => {
  const steps = (sql: string) => {
    const tokens = tokenizeSql(sql);
    const counter: RenameSteps = { steps: 0 };
    bindSetBranches(sql, tokens, matchingParens(tokens), secret, () => 0, counter);
    return { steps: counter.steps, tokens: tokens.length };
  };
  for (const shape of [
    (n: number) => `SELECT name, password FROM users${" UNION SELECT 'a', 'b'".repeat(n)}`,
    (n: number) => `SELECT ${'upper((SELECT password UNION SELECT '.repeat(n)}'x'${'))'.repeat(n)}`,
    (n: number) => `${'(SELECT password FROM u UNION '.repeat(n)}SELECT 'x'${')'.repeat(n)}`,
  ]) {
    const small = steps(shape(2_000));
    const large = steps(shape(8_000));
    assert.ok(large.steps <= 4 * large.tokens, `${shape(1)}: ${large.steps} for ${large.tokens}`);
    assert.ok(large.steps <= 4.5 * small.steps, `${shape(1)}: ${small.steps} → ${large.steps}`);
  }
});
