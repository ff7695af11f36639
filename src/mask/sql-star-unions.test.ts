// A set operation whose branches read `*` from different tables answers a later table's passwords
// under the first table's names; every cell of its result is withheld (recorded in clear until 6
// December). Branches of the same tables keep their cells, and the reader stays linear.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { secretNameMatcher } from './secret-names.js';
import { derivedSecretPositions } from './sql-derived-columns.js';

const secret = secretNameMatcher();
const withheldWhole = (sql: string) => derivedSecretPositions(sql, secret)?.all === true;

test('star branches of other tables withhold the whole result', () => {
  for (const sql of [
    'SELECT * FROM t1 WHERE id = 1 UNION SELECT * FROM users',
    'SELECT * FROM t1 UNION ALL SELECT u.* FROM users u WHERE u.id = 9',
    '(SELECT * FROM t1) UNION ((SELECT * FROM users))',
    'SELECT * FROM t1 EXCEPT SELECT * FROM public.users',
    'SELECT * FROM t1 UNION TABLE users',
    'TABLE t1 UNION SELECT * FROM users',
    'WITH s AS (SELECT 1) SELECT * FROM t1 UNION SELECT * FROM users',
    'SELECT * FROM a JOIN b ON a.id = b.id UNION SELECT * FROM a JOIN users u ON a.id = u.id',
    'SELECT * FROM (SELECT * FROM t1) s UNION SELECT * FROM (SELECT * FROM users) s',
  ])
    assert.ok(withheldWhole(sql), sql);
});

test('star branches of the same tables, subqueries and other statements keep their cells', () => {
  for (const sql of [
    'SELECT * FROM users WHERE id = 1 UNION SELECT * FROM users WHERE id = 2',
    'SELECT * FROM a JOIN b ON a.id = b.id UNION SELECT * FROM a JOIN b ON a.x = b.x',
    'SELECT * FROM t1 WHERE id IN (SELECT id FROM t1 UNION SELECT id FROM t2)',
    'SELECT * FROM t1 WHERE id IN (SELECT * FROM t1 UNION SELECT * FROM t2)',
    'SELECT * FROM t1; SELECT * FROM users',
    'CREATE TABLE x (id int); SELECT * FROM t1 UNION SELECT * FROM t1',
    'SELECT id FROM t1 UNION SELECT id FROM users',
  ])
    assert.equal(withheldWhole(sql), false, sql);
});

test('property: a star union is withheld whole exactly when a later branch reads other relations', () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom('t1', 't2', 's.t1', 'users'), { minLength: 2, maxLength: 5 }),
      fc.constantFrom('UNION', 'UNION ALL', 'EXCEPT', 'INTERSECT'),
      fc.boolean(),
      (relations, operator, wrapped) => {
        const branch = (r: string, i: number) => {
          const select = `SELECT * FROM ${r} WHERE id > ${i}`;
          return wrapped ? `(${select})` : select;
        };
        const sql = relations.map(branch).join(` ${operator} `);
        const expected = relations.some((r) => r !== relations[0]);
        assert.equal(withheldWhole(sql), expected, sql);
      },
    ),
  );
});

// A scratch bound against a quadratic reading (minutes), not a measurement: each branch's FROM
// clause is read once, its groups stepped over. Below the 200,000 characters read whole.
test('many branches and nested FROM groups are read in time linear in the statement', {
  timeout: 60_000,
}, () => {
  for (const sql of [
    `SELECT * FROM t0${' UNION SELECT * FROM t0'.repeat(8_000)}`,
    `SELECT * FROM ${'(SELECT * FROM '.repeat(10_000)}t${') s'.repeat(10_000)} UNION SELECT * FROM users`,
  ]) {
    assert.ok(sql.length < 200_000);
    const started = performance.now();
    derivedSecretPositions(sql, secret);
    assert.ok(performance.now() - started < 20_000, sql.slice(0, 60));
  }
});
