// Shapes an attacker tried on the SQL readers on 6 December, each recording a password of words in
// clear before then: parenthesised set-operation branches (around IN's subquery, an INSERT's
// SELECT, a query's result), a branch after VALUES or TABLE, a row compared or assigned a
// subquery, MERGE's INSERT, COLLATE before a comparison, a function in FROM given an alias, a
// subquery of TABLE renamed by a column list, and an operator the lexer drops read as an alias.
// The look-alikes keep their values, and the new readers stay linear.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMasker } from './masker.js';
import { secretNameMatcher } from './secret-names.js';
import { derivedSecretPositions } from './sql-derived-columns.js';

const masker = createMasker({ fingerprintKey: 'sql-attacker-vectors-key-0123456' });
const S = 'amber falcon river';
const T = 'quiet harbor lamp';
const statement = (sql: string, parameters: (string | number)[] = []) =>
  masker.maskPayload({ statement: sql, parameters }, '') as {
    statement: string;
    parameters: (string | number)[];
  };
const secret = secretNameMatcher();
const read = (sql: string) => {
  const p = derivedSecretPositions(sql, secret);
  return p === null ? null : { start: [...p.fromStart].sort(), names: [...(p.names ?? [])].sort() };
};

test('values given to a secret column through these shapes are masked', () => {
  for (const sql of [
    `SELECT id FROM users WHERE password IN ((SELECT '${T}') UNION (SELECT '${S}'))`,
    `SELECT id FROM users WHERE password IN (((SELECT '${T}')) UNION ALL ((SELECT '${S}')))`,
    `SELECT id FROM users WHERE password IN (WITH s AS (SELECT 1) SELECT '${S}')`,
    `SELECT id FROM users WHERE password IN ((SELECT '${S}'), '${T}')`,
    `SELECT id FROM users WHERE password COLLATE "C" = '${S}'`,
    `SELECT id FROM users WHERE password COLLATE pg_catalog."default" = '${S}'`,
    `SELECT id FROM users WHERE '${S}' COLLATE utf8mb4_bin = password`,
    `SELECT id FROM users WHERE (password, name) = ('${S}', 'ann')`,
    `SELECT id FROM users WHERE (name, password) IN (('ann', '${S}'), ('bob', '${T}'))`,
    `SELECT id FROM users WHERE (name, password) NOT IN (SELECT 'ann', '${S}')`,
    `SELECT id FROM users WHERE ROW(name, password) = ROW('ann', '${S}')`,
    `UPDATE users SET (name, password) = (SELECT 'b', '${S}')`,
    `UPDATE users SET id = 1, (name, password) = (SELECT name, '${S}' FROM products LIMIT 1)`,
    `INSERT INTO users (id, name, password) SELECT 5, 'b', '${T}' UNION ALL SELECT 6, 'ann', '${S}'`,
    `INSERT INTO users (id, password) (SELECT 5, '${T}') UNION ALL (SELECT 6, '${S}')`,
    `INSERT INTO users (id, name, password) WITH s AS (SELECT 1) SELECT 5, 'ann', '${S}'`,
    `MERGE INTO users u USING (SELECT 2 AS id) s ON u.id = s.id WHEN NOT MATCHED THEN INSERT (id, name, password) VALUES (2, 'b', '${S}')`,
    `MERGE INTO users u USING (VALUES (2, '${S}')) s(id, pw) ON u.id = s.id WHEN NOT MATCHED THEN INSERT (id, password) VALUES (s.id, s.pw)`,
    `MERGE INTO users u USING (SELECT 2 AS id) s ON u.id = s.id WHEN NOT MATCHED THEN INSERT VALUES (2, 'b', '${S}')`,
  ]) {
    const out = statement(sql).statement;
    assert.ok(!out.includes(S), `${sql}\n${out}`);
  }
  for (const [sql, parameters] of [
    ['SELECT id FROM users WHERE password IN ((SELECT $1::text) UNION (SELECT $2::text))', [T, S]],
    ['SELECT id FROM users WHERE (name, password) = ($2, $1)', [S, 'ann']],
    ['UPDATE users SET (name, password) = (SELECT ?, ?)', ['ann', S]],
    ['INSERT INTO users (id, password) SELECT 5, ? UNION ALL SELECT 6, ?', [T, S]],
    ['SELECT id FROM users WHERE password COLLATE utf8mb4_bin = ?', [S]],
  ] as const) {
    const out = statement(sql, [...parameters]);
    assert.ok(!JSON.stringify(out.parameters).includes(S), `${sql}\n${JSON.stringify(out)}`);
  }
});

test('look-alikes keep their values', () => {
  for (const sql of [
    `SELECT id FROM users WHERE name IN ((SELECT 'ann') UNION (SELECT 'bob'))`,
    `SELECT id FROM users WHERE (name, id) = ('ann', 1)`,
    `SELECT id FROM users WHERE name COLLATE "C" = 'ann'`,
    `INSERT INTO users (id, name) SELECT 5, 'ann' UNION ALL SELECT 6, 'bob'`,
    `MERGE INTO users u USING (SELECT 2 AS id) s ON u.id = s.id WHEN NOT MATCHED THEN INSERT (id, name) VALUES (2, 'ann')`,
    `UPDATE users SET (name, id) = (SELECT 'ann', 2)`,
    // A statement after the INSERT is not one of its branches.
    `INSERT INTO users (id, password) SELECT 5, 'x'; SELECT 'ann' UNION SELECT 'bob'`,
  ]) {
    const out = statement(sql).statement;
    for (const kept of ['ann', 'bob'].filter((k) => sql.includes(`'${k}'`)))
      assert.ok(out.includes(`'${kept}'`), `${sql}\n${out}`);
  }
});

test('result columns these shapes fill with a secret are withheld', () => {
  // Parenthesised twice: the branch still answers under the first branch's name and position.
  assert.deepEqual(read('((SELECT name FROM products)) UNION ((SELECT password FROM users))'), {
    start: [0],
    names: ['name'],
  });
  assert.deepEqual(read('((SELECT 1)) UNION ((SELECT password FROM users))'), { start: [0], names: [] });
  // A first branch that is not a select list: the positions are known, the names are not.
  assert.deepEqual(read(`VALUES ('x') UNION SELECT password FROM users`), { start: [0], names: [] });
  assert.deepEqual(read('TABLE products UNION SELECT id, password FROM users'), { start: [1], names: [] });
  // Nested: the inner set operation's branch fills the outer head.
  assert.deepEqual(
    read('SELECT name FROM products UNION (SELECT name FROM products UNION SELECT password FROM users)'),
    { start: [0], names: ['name'] },
  );
  // A function in FROM given an alias names its column after it.
  assert.deepEqual(read('SELECT x FROM users u CROSS JOIN LATERAL unnest(ARRAY[u.password]) x'), {
    start: [0],
    names: ['x'],
  });
  assert.deepEqual(read('SELECT * FROM users u, LATERAL upper(u.password) AS p')?.names, ['p']);
  // A subquery of TABLE renamed: every name of the list.
  assert.deepEqual(read('SELECT s.c FROM (TABLE users) s(a, b, c)')?.names, ['a', 'b', 'c']);
  // An operator the lexer drops is not an alias: the column is `?column?`.
  assert.deepEqual(read(`SELECT ''||password FROM users`), { start: [0], names: [] });
  assert.deepEqual(read('SELECT id, name || password FROM users'), { start: [1], names: [] });
  assert.deepEqual(read('SELECT 2 * password FROM users'), { start: [0], names: [] });
});

test('ordinary reads are not withheld', () => {
  assert.equal(read('((SELECT name FROM products)) UNION ((SELECT name FROM users))'), null);
  assert.equal(read('TABLE products UNION SELECT id, name FROM users'), null);
  assert.equal(read('SELECT x FROM generate_series(1, 3) x'), null);
  assert.equal(read('SELECT g FROM users u CROSS JOIN LATERAL generate_series(1, u.id) g'), null);
  assert.equal(read(`SELECT name || 'x' FROM users`), null);
  // An alias after a comment is still an alias.
  assert.equal(read('SELECT name /* the user */ AS person FROM users'), null);
  // `password AS p` is withheld by the reader before; `password` itself is masked by its name.
  assert.equal(read('SELECT id, password FROM users'), null);
});
