// Result columns named by alias column lists and set operations, read from a secret column.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { secretNameMatcher } from './secret-names.js';
import { derivedSecretPositions } from './sql-derived-columns.js';

const secret = secretNameMatcher();
const read = (sql: string) => {
  const p = derivedSecretPositions(sql, secret);
  return p === null ? null : { start: [...p.fromStart], names: [...(p.names ?? [])].sort() };
};

test('a set operation answers a later branch’s secret under its first branch’s names', () => {
  // The classic exfiltration: the passwords come back under `name`.
  assert.deepEqual(read('SELECT name FROM products WHERE id = 1 UNION SELECT password FROM users'), {
    start: [0],
    names: ['name'],
  });
  assert.deepEqual(read(`SELECT 1, 'a' UNION ALL SELECT id, api_token FROM users`), {
    start: [1],
    names: [],
  });
  assert.deepEqual(read('SELECT id, title FROM a EXCEPT (SELECT id, upper(password) FROM users)'), {
    start: [1],
    names: ['title'],
  });
  // Past a subquery in the first branch's WHERE, the branch still heads.
  assert.deepEqual(
    read('SELECT name FROM t WHERE id IN (SELECT id FROM u) UNION SELECT password FROM users'),
    { start: [0], names: ['name'] },
  );
  // Inside a subquery: its first branch names the column a star expands to.
  assert.deepEqual(read('SELECT * FROM (SELECT name FROM t UNION SELECT password FROM users) s'), {
    start: [],
    names: ['name'],
  });
});

test('column lists after an alias rename a secret column', () => {
  assert.deepEqual(read('WITH s(p) AS (SELECT password FROM users) SELECT * FROM s'), {
    start: [],
    names: ['p'],
  });
  assert.deepEqual(read('WITH s(p) AS MATERIALIZED (SELECT password FROM users) SELECT p FROM s'), {
    start: [0],
    names: ['p'],
  });
  assert.deepEqual(read('SELECT * FROM (SELECT id, password FROM users) AS s(a, b)'), {
    start: [],
    names: ['b'],
  });
  assert.deepEqual(read('SELECT * FROM (SELECT password AS x FROM users) s'), { start: [], names: ['x'] });
  // A table's or a function's columns renamed: which one is the secret is not known here.
  assert.deepEqual(read('SELECT * FROM public.users AS t(i, n, p)'), { start: [], names: ['i', 'n', 'p'] });
  assert.deepEqual(read('SELECT * FROM unnest(ARRAY(SELECT password FROM users)) AS t(x)'), {
    start: [],
    names: ['x'],
  });
});

test('statements without a renamed secret give nothing', () => {
  for (const sql of [
    'SELECT abalance FROM pgbench_accounts WHERE aid = 5',
    'INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 2, 3, 4, CURRENT_TIMESTAMP)',
    'SELECT a.id, b.name FROM a JOIN b USING (id) WHERE a.x IN (1, 2)',
    'SELECT i FROM generate_series(1, 3) g(i)',
    'SELECT name FROM t UNION SELECT title FROM u',
    'SELECT * FROM users u, LATERAL jsonb_each(u.data) e',
    'SELECT lower(name) FROM users WHERE coalesce(a, b) = 1 ORDER BY coalesce(x, y)',
    'WITH s(a, b) AS (SELECT id, name FROM users) SELECT * FROM s',
    'SELECT x FROM (SELECT id, name FROM users) s(x, y)',
    `SELECT id FROM users WHERE password = crypt('x', password) UNION SELECT 2`,
    `SELECT id, name FROM users WHERE id IN (SELECT user_id FROM tokens WHERE token = 'x')`,
    `SELECT CAST(x AS varchar(10)) FROM t`,
  ])
    assert.equal(read(sql), null, sql);
});
