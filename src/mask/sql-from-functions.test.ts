// A function in FROM whose arguments read a password or a whole row names its columns itself
// (`jsonb_each_text(to_jsonb(u))`: `key`, `value`); a result that may read them by those names is
// withheld whole, one that reads them through the function's alias by position (recorded in clear
// until 6 December). A whole row cut by a text function is withheld whatever its shape. Functions
// over other columns keep their cells; the reader stays linear.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { secretNameMatcher } from './secret-names.js';
import { derivedSecretPositions } from './sql-derived-columns.js';

const secret = secretNameMatcher();
const read = (sql: string) => derivedSecretPositions(sql, secret);

test('a result that may read a secret FROM function by the names it gives is withheld whole', () => {
  for (const sql of [
    'SELECT * FROM users u, LATERAL unnest(ARRAY[u.password])',
    'SELECT unnest FROM users u, LATERAL unnest(ARRAY[u.password])',
    "SELECT value FROM users u, jsonb_each_text(jsonb_build_object('k', u.password))",
    "SELECT * FROM users u, jsonb_each_text(jsonb_build_object('k', u.password)) x",
    'SELECT key, value FROM users u, json_each(row_to_json(u))',
    'SELECT j.* FROM users u, jsonb_each_text(to_jsonb(u)) j',
    "SELECT note FROM json_populate_record(null::products, (SELECT json_build_object('note', password) FROM users)) r",
    'SELECT (jsonb_each_text(to_jsonb(u))).* FROM users u',
    'SELECT x, name FROM users u, LATERAL unnest(ARRAY[u.password]) x',
    "SELECT * FROM dblink('dbname=app', 'SELECT password FROM users') AS t(p text)",
    "SELECT p FROM dblink('dbname=app', 'SELECT password FROM users') AS t(p text)",
  ])
    assert.equal(read(sql)?.all, true, sql);
});

test("a secret FROM function's alias read by position, and a cut whole row, are withheld by position", () => {
  for (const [sql, at] of [
    ['SELECT j.value FROM users u, jsonb_each_text(to_jsonb(u)) j', 0],
    ['SELECT u.id, x.value FROM users u CROSS JOIN LATERAL jsonb_each_text(to_jsonb(u)) AS x', 1],
    ["SELECT split_part(u::text, ',', 3) FROM users u", 0],
    ["SELECT id, replace(u::text, '(', '') FROM users u", 1],
    ['SELECT substr(u::text, 2) FROM users u', 0],
  ] as const) {
    const p = read(sql);
    assert.ok(p !== null && p.all !== true && p.fromStart.has(at), sql);
  }
});

test('functions over other columns, and whole rows kept as rows, keep their cells', () => {
  for (const sql of [
    'SELECT * FROM users u, LATERAL jsonb_each(u.data) e',
    'SELECT i FROM generate_series(1, 3) g(i)',
    'SELECT * FROM products p, unnest(ARRAY[p.name, p.note]) x',
    'SELECT substring(name FROM 2) FROM users',
  ])
    assert.equal(read(sql), null, sql);
  // A column after a call's FROM is read over-broadly as a row (sql-whole-rows.ts): by its shape only.
  const extract = read("SELECT extract(year FROM created) FROM users WHERE name = 'x'");
  assert.equal(extract?.fromStart.size ?? 0, 0);
  // A row kept whole is withheld by its shape (sql-whole-rows.ts), not whatever its shape.
  for (const sql of [
    'SELECT u::text FROM users u',
    'SELECT array_agg(u) FROM users u',
    'SELECT row_to_json(u) FROM users u',
  ]) {
    const p = read(sql);
    assert.ok(p !== null && p.fromStart.size === 0 && p.rows?.fromStart.has(0), sql);
  }
});

test('property: a FROM function is withheld whole exactly when it reads a secret and the result may read it by name', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(
        'u.password',
        'to_jsonb(u)',
        'u.name',
        'row_to_json(u)',
        "jsonb_build_object('k', u.api_key)",
        'u.data',
      ),
      fc.constantFrom('jsonb_each_text', 'unnest', 'json_each'),
      fc.boolean(),
      fc.constantFrom('*', 'value', 'x.value', 'u.id', 'x'),
      fc.boolean(),
      (argument, fn, aliased, item, lateral) => {
        const call = `${lateral ? 'LATERAL ' : ''}${fn}(${fn === 'unnest' ? `ARRAY[${argument}]` : argument})`;
        const sql = `SELECT ${item} FROM users u, ${call}${aliased ? ' x' : ''}`;
        const reads = !['u.name', 'u.data'].includes(argument);
        // `x.value` without the alias `x` does not run: a column of no relation read here.
        const byName = item === '*' || item === 'value' || (item === 'x' && !aliased);
        assert.equal(read(sql)?.all === true, reads && byName, sql);
      },
    ),
  );
});

// A scratch bound against a quadratic reading (minutes), not a measurement.
test('many FROM functions and nested ones are read in time linear in the statement', {
  timeout: 60_000,
}, () => {
  for (const sql of [
    `SELECT * FROM users u${', LATERAL unnest(ARRAY[u.name]) x'.repeat(5_000)}`,
    `SELECT * FROM ${'f(('.repeat(20_000)}1${'))'.repeat(20_000)}`,
    `SELECT ${'a, '.repeat(20_000)}b FROM users u, unnest(ARRAY[u.password]) x`,
  ]) {
    assert.ok(sql.length < 200_000);
    const started = performance.now();
    read(sql);
    assert.ok(performance.now() - started < 20_000, sql.slice(0, 60));
  }
});
