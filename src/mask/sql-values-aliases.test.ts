// A VALUES or derived SELECT value given to a secret column through an expression (`SET password =
// upper(v.p)`, `crypt(v.p, gen_salt('bf'))`, `INSERT … SELECT n, md5(p)`): the function stores
// what the value was made from, and the value was recorded as typed until 6 December. Values an
// expression does not name keep theirs, and nested expressions stay linear.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { assertLinearSteps } from '../../test/support/binding-steps.js';
import { secretNameMatcher } from './secret-names.js';
import { secretBindings } from './sql-columns.js';

const secret = secretNameMatcher();
const S = 'crimson badger teapot';
const bound = (sql: string) => secretBindings(sql, secret).literals.map((l) => sql.slice(l.start, l.end));

test('a VALUES or derived value given to a secret column through a function is bound', () => {
  // The call's own literals (`'bf'`) were bound already; the VALUES now are too.
  for (const sql of [
    `UPDATE users SET password = upper(v.p) FROM (VALUES ('ann', '${S}')) v(n, p) WHERE users.name = v.n`,
    `UPDATE users SET password = crypt(v.p, gen_salt('bf')) FROM (VALUES ('${S}')) v(p)`,
    `UPDATE users SET password = v.p::text || '' FROM (VALUES ('${S}')) v(p)`,
    `INSERT INTO users(id, name, password) SELECT i, n, md5(p) FROM (VALUES (5, 'eve', '${S}')) v(i, n, p)`,
    `UPDATE users u JOIN (SELECT 'ann' AS n, '${S}' AS p) v ON u.name = v.n SET u.password = UPPER(v.p)`,
    `UPDATE users SET password = trim(both ' ' from v.p) FROM (VALUES ('${S}')) v(p)`,
    `UPDATE users SET password = upper(column2) FROM (VALUES ('ann', '${S}')) v`,
  ])
    assert.deepEqual(
      bound(sql).filter((v) => v !== 'bf' && v !== ' ' && v !== ''),
      [S],
      sql,
    );
});

test('values the expression does not name keep theirs', () => {
  for (const [sql, expected] of [
    ["UPDATE users SET password = upper(v.p) FROM (VALUES ('key', 'Ann')) v(p, q) WHERE name = v.q", ['key']],
    ["UPDATE users SET name = upper(v.p) FROM (VALUES ('Ann')) v(p)", []],
    ["UPDATE users SET password = CAST(v.z AS text) FROM (VALUES ('x', 'y')) v(text, z)", ['y']],
  ] as const)
    assert.deepEqual(bound(sql), expected, sql);
});

test('property: the VALUES position an expression of a secret column names is bound alone', () => {
  fc.assert(
    fc.property(
      fc.nat(3),
      fc.nat(3),
      fc.constantFrom('upper(%)', 'md5(% || salt)', "crypt(%, gen_salt('bf'))", "coalesce(%, '')", '%::text'),
      fc.boolean(),
      (before, after, expression, qualified) => {
        const columns = [
          ...Array.from({ length: before }, (_, i) => `a${i}`),
          'p',
          ...Array.from({ length: after }, (_, i) => `b${i}`),
        ];
        const values = columns.map((c) => (c === 'p' ? `'${S}'` : `'k-${c}'`));
        const ref = qualified ? 'v.p' : 'p';
        const sql = `UPDATE users SET password = ${expression.replace('%', ref)} FROM (VALUES (${values.join(', ')})) v(${columns.join(', ')})`;
        const found = bound(sql).filter((x) => x !== '' && x !== 'bf');
        assert.deepEqual(found, [S], sql);
      },
    ),
  );
});

test('expressions around references are bound in a number of steps linear in their tokens', () => {
  assertLinearSteps(
    'upper(',
    (n) => `UPDATE users SET password = ${'upper(v.p, '.repeat(n)}1${')'.repeat(n)}`,
  );
  assertLinearSteps('set', (n) => `UPDATE users SET ${'password = upper(v.p), '.repeat(n)}x = 1`);
});
