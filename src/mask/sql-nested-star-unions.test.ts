// A set operation inside a CTE or a subquery whose first branch's names are not in the statement
// (`*`, `TABLE`, `VALUES`) answers a later branch's passwords under the first table's names; every
// cell of the statement's result is withheld (recorded in clear until 6 December). Branches of the
// same tables, a recursive CTE's qualified star and a subquery that is only tested keep their cells;
// the reader stays linear.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { secretNameMatcher } from './secret-names.js';
import { derivedSecretPositions } from './sql-derived-columns.js';

const secret = secretNameMatcher();
const withheldWhole = (sql: string) => derivedSecretPositions(sql, secret)?.all === true;

test('a nested set operation of unknown names with a later branch of other relations or a secret is withheld whole', () => {
  for (const sql of [
    'WITH x AS (SELECT * FROM products UNION ALL SELECT * FROM users) SELECT * FROM x',
    'WITH x AS (SELECT * FROM products UNION ALL SELECT * FROM users) SELECT name, note FROM x',
    'SELECT * FROM (SELECT * FROM users UNION SELECT * FROM other) s',
    'SELECT s.note FROM (SELECT * FROM products UNION SELECT id, name, password FROM users) s',
    'SELECT * FROM (TABLE products UNION TABLE users) s',
    'SELECT * FROM (TABLE products UNION SELECT id, name, password FROM users) s',
    "SELECT * FROM (VALUES (1, 'a', 'b') UNION SELECT id, name, password FROM users) s",
    'SELECT * FROM ((SELECT * FROM products) UNION ((SELECT * FROM users))) s',
    'SELECT * FROM (SELECT * FROM products UNION ALL (SELECT * FROM users)) s',
    'SELECT (SELECT note FROM (SELECT * FROM products UNION SELECT * FROM users) s LIMIT 1)',
    'SELECT row_to_json(s) FROM (SELECT * FROM products UNION SELECT * FROM users) s',
    'SELECT * FROM (SELECT * FROM products UNION SELECT id, name, upper(p) FROM (SELECT password AS p FROM users) u) s',
    'WITH RECURSIVE r AS (SELECT * FROM t1 WHERE id = 1 UNION ALL SELECT u.* FROM users u JOIN r ON r.id = u.id) SELECT * FROM r',
  ])
    assert.ok(withheldWhole(sql), sql);
});

test('same relations, named first branches, recursive CTEs and tested subqueries keep their cells', () => {
  for (const sql of [
    'SELECT * FROM (SELECT * FROM t1 WHERE id = 1 UNION SELECT * FROM t1 WHERE id = 2) s',
    'SELECT * FROM t1 WHERE id IN (SELECT * FROM t1 UNION SELECT * FROM t2)',
    'SELECT * FROM t1 WHERE EXISTS (SELECT * FROM t1 UNION SELECT * FROM users)',
    'SELECT * FROM t1 WHERE id = ANY (SELECT * FROM (SELECT * FROM t1 UNION SELECT * FROM users) s)',
    'SELECT * FROM t1 WHERE id <> ALL (SELECT * FROM t1 UNION SELECT * FROM users)',
    'WITH RECURSIVE r AS (SELECT * FROM t1 UNION ALL SELECT t1.* FROM t1 JOIN r ON r.id = t1.parent) SELECT * FROM r',
    'WITH RECURSIVE r AS (SELECT * FROM t1 WHERE id = 1 UNION ALL SELECT c.* FROM t1 AS c JOIN r ON r.id = c.parent) SELECT * FROM r',
    'WITH RECURSIVE r AS (SELECT * FROM t1 WHERE id = 1 UNION ALL SELECT id, name, parent FROM t1 JOIN r USING (id)) SELECT * FROM r',
    'SELECT * FROM (SELECT * FROM t1) a JOIN (SELECT * FROM t2) b ON a.id = b.id',
    'SELECT * FROM (SELECT * FROM t1) a; SELECT * FROM (SELECT id FROM t2 UNION SELECT id FROM t3) b',
  ])
    assert.equal(withheldWhole(sql), false, sql);
});

test('property: a nested star union is withheld whole exactly when a later branch reads other relations', () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom('t1', 't2', 's.t1', 'users'), { minLength: 2, maxLength: 5 }),
      fc.constantFrom('UNION', 'UNION ALL', 'EXCEPT', 'INTERSECT'),
      fc.boolean(),
      fc.constantFrom('cte', 'from', 'join', 'scalar', 'in', 'exists'),
      fc.nat(2),
      (relations, operator, wrapped, place, extra) => {
        const branch = (r: string, i: number) => {
          const select = `SELECT * FROM ${r} WHERE id > ${i}`;
          return wrapped ? `(${select})` : select;
        };
        let inner = relations.map(branch).join(` ${operator} `);
        for (let d = 0; d < extra; d++) inner = `SELECT * FROM (${inner}) n${d}`;
        const sql = {
          cte: `WITH x AS (${inner}) SELECT * FROM x`,
          from: `SELECT * FROM (${inner}) s`,
          join: `SELECT a.id FROM a JOIN (${inner}) s ON a.id = s.id`,
          scalar: `SELECT (SELECT count(*) FROM (${inner}) s)`,
          in: `SELECT * FROM a WHERE id IN (SELECT id FROM (${inner}) s)`,
          exists: `SELECT * FROM a WHERE EXISTS (${inner})`,
        }[place];
        const reaches = place !== 'in' && place !== 'exists';
        const expected = reaches && relations.some((r) => r !== relations[0]);
        assert.equal(withheldWhole(sql), expected, sql);
      },
    ),
  );
});

test('property: any text of SQL words and brackets is read without throwing', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.constantFrom(
          'SELECT',
          '*',
          'FROM',
          'users',
          't1',
          'UNION',
          'ALL',
          'TABLE',
          'VALUES',
          '(',
          ')',
          ',',
          'IN',
          'WITH',
          'x',
          'AS',
          ';',
          'password',
          '.',
        ),
        { maxLength: 60 },
      ),
      (words) => {
        derivedSecretPositions(words.join(' '), secret);
      },
    ),
    { numRuns: 400 },
  );
});

// A scratch bound against a quadratic reading (minutes), not a measurement: each token is visited
// once, each FROM clause read once per branch.
test('deeply nested and many-branched set operations are read in time linear in the statement', {
  timeout: 60_000,
}, () => {
  for (const sql of [
    `SELECT * FROM (SELECT * FROM t0${' UNION SELECT * FROM t0'.repeat(7_000)}) s`,
    `SELECT * FROM ${'(SELECT * FROM t UNION SELECT * FROM '.repeat(4_000)}users${') s'.repeat(4_000)}`,
    `SELECT * FROM a WHERE id IN ${'(SELECT * FROM t UNION SELECT * FROM users WHERE id IN '.repeat(3_000)}(1)${')'.repeat(3_000)}`,
  ]) {
    assert.ok(sql.length < 200_000);
    const started = performance.now();
    derivedSecretPositions(sql, secret);
    assert.ok(performance.now() - started < 20_000, sql.slice(0, 60));
  }
});
