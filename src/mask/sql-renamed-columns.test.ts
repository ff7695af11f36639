// Result columns named by alias column lists and set operations, read from a secret column.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
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

test('a star in a later branch fills the first branch’s positions from its place', () => {
  // `SELECT name FROM t UNION SELECT * FROM users` answered the passwords under `name` in clear.
  assert.deepEqual(read('SELECT name FROM t UNION SELECT * FROM users'), { start: [0], names: ['name'] });
  assert.deepEqual(read('SELECT name FROM t UNION ALL SELECT u.* FROM users u'), {
    start: [0],
    names: ['name'],
  });
  assert.deepEqual(read('SELECT a, b, c FROM t UNION SELECT id, * FROM users'), {
    start: [1, 2],
    names: ['b', 'c'],
  });
  assert.deepEqual(read('SELECT a, b, c FROM t UNION SELECT *, id FROM users'), {
    start: [0, 1],
    names: ['a', 'b'],
  });
  // A whole table as a later branch: every position.
  assert.deepEqual(read('SELECT id, name FROM t UNION ALL TABLE users'), { start: [0, 1], names: [] });
  // Both with a star, of other tables: where the passwords land is not known, so every cell is
  // withheld (sql-star-unions.ts; recorded in clear until 6 December). Of the same table: kept.
  assert.equal(derivedSecretPositions('SELECT * FROM t UNION SELECT * FROM users', secret)?.all, true);
  assert.equal(read('SELECT * FROM users WHERE id = 1 UNION SELECT * FROM users WHERE id = 2'), null);
});

test('a VALUES statement’s values read from a secret column are withheld by position', () => {
  assert.deepEqual(read('VALUES ((SELECT password FROM users LIMIT 1))'), { start: [0], names: [] });
  assert.deepEqual(read("VALUES (1, 'a'), (2, (SELECT api_token FROM t))"), { start: [1], names: [] });
  assert.deepEqual(read('SELECT name FROM t UNION VALUES ((SELECT password FROM users))'), {
    start: [0],
    names: [],
  });
  assert.deepEqual(read('WITH x AS (SELECT 1) VALUES (1, (SELECT password FROM users))'), {
    start: [1],
    names: [],
  });
  assert.equal(read("VALUES (1, 'a')"), null);
  assert.equal(read('INSERT INTO t VALUES ((SELECT password FROM users))'), null);
});

test('many star branches and VALUES rows are read in time linear in the statement', {
  timeout: 60_000,
}, () => {
  const secret = secretNameMatcher();
  for (const sql of [
    `SELECT ${'a, '.repeat(20_000)}b FROM t${' UNION SELECT * FROM u'.repeat(6_000)}`,
    `VALUES ${"((SELECT password FROM u), 'x'), ".repeat(4_000)}(1, 2)`,
    `VALUES ${'((VALUES ('.repeat(8_000)}1${'))))'.repeat(8_000)}`,
  ]) {
    const started = performance.now();
    derivedSecretPositions(sql, secret);
    // A scratch bound against a quadratic reading, not a measurement.
    assert.ok(performance.now() - started < 20_000);
  }
});

test('property: a later branch’s star takes exactly the positions it may fill', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 6 }), fc.nat(5), fc.nat(5), (width, before, after) => {
      const head = Array.from({ length: width }, (_, i) => `c${i}`).join(', ');
      const branch = [
        ...Array.from({ length: before }, () => 'id'),
        '*',
        ...Array.from({ length: after }, () => 'id'),
      ];
      const p = read(`SELECT ${head} FROM t UNION ALL SELECT ${branch.join(', ')} FROM users`);
      const filled = Array.from({ length: width }, (_, i) => i).filter(
        (i) => i >= before && i <= width - 1 - after,
      );
      assert.deepEqual(p?.start ?? [], filled);
    }),
  );
});
