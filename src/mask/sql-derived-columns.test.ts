// Which result columns of a statement are read from a secret-named column under another name.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { secretNameMatcher } from './secret-names.js';
import { derivedSecretPositions } from './sql-derived-columns.js';

const secret = secretNameMatcher();
const positions = (sql: string) => {
  const p = derivedSecretPositions(sql, secret);
  return p === null ? null : { start: [...p.fromStart], end: [...p.fromEnd] };
};

test('aliases and expressions of a secret column are found by position', () => {
  assert.deepEqual(positions('SELECT name, password AS p FROM users'), { start: [1], end: [] });
  assert.deepEqual(positions('SELECT id, concat(password) FROM users'), { start: [1], end: [] });
  assert.deepEqual(positions('SELECT DISTINCT upper(u.api_token) t FROM users u'), { start: [0], end: [] });
  assert.deepEqual(positions(`UPDATE users SET name = 'a' RETURNING id, password AS x`), {
    start: [1],
    end: [],
  });
  // After a star the width is unknown: counted from the end.
  assert.deepEqual(positions('SELECT *, password p, id FROM users'), { start: [], end: [1] });
  assert.deepEqual(positions('SELECT u.*, password p FROM users u'), { start: [], end: [0] });
  // A name given to a derived value is followed outside the CTE or subquery that gives it.
  assert.deepEqual(positions('WITH s AS (SELECT password AS p FROM users) SELECT name, p FROM s'), {
    start: [1],
    end: [],
  });
  assert.deepEqual(positions('SELECT x.p FROM (SELECT password p FROM users) x'), { start: [0], end: [] });
});

test('columns named secret, and statements without a derived one, give nothing', () => {
  assert.equal(positions('SELECT name, password FROM users'), null);
  assert.equal(positions('SELECT name, u.password FROM users u'), null);
  assert.equal(positions(`SELECT name FROM users WHERE password = 'x'`), null);
  assert.equal(positions('SELECT 1'), null);
  assert.equal(positions(`INSERT INTO users (name, password) VALUES ('a', 'b')`), null);
});

test('a secret-named JSON key or path read out is found', () => {
  assert.deepEqual(positions(`SELECT id, data->>'password' AS p FROM users`), { start: [1], end: [] });
  assert.deepEqual(positions(`SELECT JSON_VALUE(doc, '$.user.api_token') FROM users`), {
    start: [0],
    end: [],
  });
  assert.equal(positions(`SELECT data->>'name' AS n FROM users`), null);
});

test('a whole row read as one value is found, and a column of the same name is told apart by its cell', () => {
  const rows = (sql: string) => {
    const p = derivedSecretPositions(sql, secret);
    return p?.rows ? { start: [...p.rows.fromStart], end: [...p.rows.fromEnd] } : null;
  };
  assert.deepEqual(rows('SELECT u FROM users u'), { start: [0], end: [] });
  assert.deepEqual(rows('SELECT id, users FROM users'), { start: [1], end: [] });
  assert.deepEqual(rows('SELECT u::text, array_agg(o) FROM users AS u JOIN orders o ON o.uid = u.id'), {
    start: [0, 1],
    end: [],
  });
  assert.deepEqual(rows('SELECT row(u.*), (u.*)::text FROM public.users u'), { start: [0, 1], end: [] });
  assert.deepEqual(rows(`UPDATE users SET name = 'a' RETURNING users`), { start: [0], end: [] });
  assert.deepEqual(rows('SELECT *, t FROM a, (SELECT 1) t'), { start: [], end: [0] });
  // Columns of a relation, a star, and calls are not rows.
  assert.equal(rows('SELECT u.id, u.name, count(*) FROM users u'), null);
  assert.equal(rows('SELECT u.* FROM users u'), null);
  assert.equal(rows('SELECT id FROM users WHERE users.id = 1'), null);
});
