// The bindings reading kept by statement shape gives, for every text, exactly what reading that
// text anew gives: random statements (secret and plain columns, integers of any length, strings
// plain, E'' and dollar-quoted, comments of both servers, quoted names, VALUES rows, several
// statements in one text), each shape sent with several sets of integers, under PostgreSQL's,
// MySQL's and both readings; and the masker's records are the same with the cache and without.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { integerShape } from './integer-literal-shape.js';
import { createMasker } from './masker.js';
import { DEFAULT_SECRET_NAMES, secretNameMatcher } from './secret-names.js';
import { secretBindings } from './sql-columns.js';
import { ShapeCachedBindings } from './sql-shape-cache.js';

const secret = secretNameMatcher(DEFAULT_SECRET_NAMES);

/** A template: text, with `\u0001` where an integer goes. */
const SLOT = '\u0001';
const column = fc.constantFrom('id', 'aid', 'password', 'api_key', 'token', 'name', 'pin', 'abalance', 'p');
const table = fc.constantFrom('users', 'pgbench_accounts', 't');
const fixedLiteral = fc.constantFrom(
  "'ann'",
  "'hunter2 secret'",
  "E'it\\'s'",
  '$$INSERT INTO users (password) VALUES (1234)$$',
  "'INSERT INTO users(password) VALUES (''x'')'",
  '1.5',
  '.5',
  '1e3',
  '0x1F',
  'NULL',
  '$1',
  '?',
  '"7"',
  '`7`',
  '@v7',
);
const value = fc.oneof({ weight: 8, arbitrary: fc.constant(SLOT) }, { weight: 1, arbitrary: fixedLiteral });
const clause = fc.oneof(
  fc.tuple(column, table, column, value).map(([a, t, b, v]) => `SELECT ${a} FROM ${t} WHERE ${b} = ${v}`),
  fc
    .tuple(table, column, value, column, value)
    .map(([t, a, v, b, w]) => `UPDATE ${t} SET ${a} = ${a} + ${v} WHERE ${b} = -${w}`),
  fc
    .tuple(table, column, column, value, value)
    .map(([t, a, b, v, w]) => `INSERT INTO ${t} (${a}, ${b}) VALUES (${v}, ${w})`),
  fc.tuple(table, value, value).map(([t, v, w]) => `INSERT INTO ${t} VALUES (${v}, ${w}, ${SLOT})`),
  fc
    .tuple(value, value, column)
    .map(
      ([v, w, c]) =>
        `UPDATE users u SET ${c} = t."${SLOT}" FROM (VALUES (${v}, ${w})) t WHERE u.id = ${SLOT}`,
    ),
  fc
    .tuple(column, value, value)
    .map(([c, v, w]) => `SELECT * FROM users WHERE ${c} IN (${v}, ${w}, ${SLOT})`),
  fc
    .tuple(column, value, value)
    .map(([c, v, w]) => `SELECT ${c} FROM users WHERE ${c} BETWEEN ${v} AND ${w}`),
  fc.tuple(column, value, value).map(([c, v, w]) => `SELECT CASE WHEN ${c} = ${v} THEN ${w} END FROM users`),
  fc.tuple(value, column).map(([v, c]) => `SELECT ${v} AS ${c}`),
  fc.tuple(column, value).map(([c, v]) => `SELECT * FROM users WHERE length(${c}) = ${v} LIMIT ${SLOT}`),
  fc.tuple(column, value).map(([c, v]) => `SELECT set_config('app.${c}', ${v}, false)`),
  fc.tuple(column, value).map(([c, v]) => `ALTER USER bob PASSWORD ${v}; SET ${c} = ${SLOT}`),
  fc.constantFrom('BEGIN', 'END', 'COMMIT'),
);
const plainEnd = fc.constantFrom('', ';', '\n');
const otherEnd = fc.constantFrom(
  ` /* ${SLOT} */`,
  ` -- ${SLOT}\n`,
  ` # ${SLOT}\n`,
  '\n',
  ` ${SLOT}`,
  `.${SLOT}`,
  `${SLOT}e`,
  '$a$',
);
const decoration = fc.oneof({ weight: 6, arbitrary: plainEnd }, { weight: 1, arbitrary: otherEnd });
const template = fc
  .array(fc.tuple(clause, decoration), { minLength: 1, maxLength: 3 })
  .map((parts) => parts.map(([c, d]) => c + d).join('; '));
const integer = fc.oneof(
  fc.nat({ max: 9 }).map(String),
  fc.nat().map(String),
  fc.stringMatching(/^[0-9]{1,22}$/),
  fc.constantFrom('4111111111111111', '4242424242424242', '0', '7', '8'),
);

function fill(t: string, values: readonly string[]): string {
  let i = 0;
  return t.replaceAll(SLOT, () => values[i++ % values.length]!);
}

const readings = ['standard', 'mysql', 'both'] as const;

test('every text of a shape is read as it would be read anew', () => {
  let hits = 0;
  fc.assert(
    fc.property(
      template,
      fc.array(fc.array(integer, { minLength: 1, maxLength: 8 }), { minLength: 2, maxLength: 5 }),
      (t, sets) => {
        for (const reading of readings) {
          const cache = new ShapeCachedBindings(secret);
          for (const values of sets) {
            const sql = fill(t, values);
            assert.deepStrictEqual(cache.read(sql, reading), secretBindings(sql, secret, reading), sql);
          }
          hits += cache.stats.hits;
        }
      },
    ),
    { numRuns: 300 },
  );
  // Most templates are shaped: the property is about texts read from the cache, not around it.
  assert.ok(hits > 600, `${hits} texts read from the cache`);
});

test('the masker records the same with the shape cache as without it', () => {
  const options = {
    fingerprintKey: 'shape-cache-test',
    connections: [
      { name: 'pg', sqlReading: 'standard' as const },
      { name: 'my', sqlReading: 'mysql' as const },
    ],
  };
  const cached = createMasker(options);
  const uncached = createMasker({ ...options, sqlShapeCache: false });
  fc.assert(
    fc.property(
      template,
      fc.array(fc.array(integer, { minLength: 1, maxLength: 8 }), { minLength: 2, maxLength: 4 }),
      fc.constantFrom('pg', 'my', undefined),
      (t, sets, connection) => {
        for (const values of sets) {
          const statement = fill(t, values);
          assert.deepStrictEqual(
            cached.scanSql(statement, connection),
            uncached.scanSql(statement, connection),
          );
          const payload = { statement, parameters: ['p1', 42] };
          assert.deepStrictEqual(
            cached.maskPayload(payload, connection ?? 'none'),
            uncached.maskPayload(payload, connection ?? 'none'),
          );
        }
      },
    ),
    { numRuns: 150 },
  );
});

test("pgbench's statements are read once per shape, and the secret integer is masked in each", () => {
  const cache = new ShapeCachedBindings(secret);
  for (let aid = 1; aid <= 50; aid++) {
    cache.read(`SELECT abalance FROM pgbench_accounts WHERE aid = ${aid * 977};`, 'standard');
    cache.read(`UPDATE pgbench_accounts SET abalance = abalance + -${aid} WHERE aid = ${aid};`, 'standard');
  }
  assert.deepEqual(cache.stats, { hits: 98, misses: 2, shapes: 2 });
  const masker = createMasker({ fingerprintKey: 'k', connections: [{ name: 'pg', sqlReading: 'standard' }] });
  for (const pin of ['1234', '98765432', '5']) {
    const { text } = masker.scanSql(`UPDATE users SET qty = 7, password = ${pin} WHERE id = 31`, 'pg');
    assert.match(
      text,
      /^UPDATE users SET qty = 7, password = \[MASKED:secret-column:[^\]]+\] WHERE id = 31$/,
    );
  }
});

test('the cache is bounded, and holds nothing of a text with a string, a comment or a quoted name', () => {
  const cache = new ShapeCachedBindings(secret, 16);
  for (let i = 0; i < 100; i++) cache.read(`SELECT c${i} FROM t WHERE id = ${i}`, 'standard');
  assert.ok(cache.stats.shapes <= 16, `${cache.stats.shapes} shapes kept`);
  for (const sql of [
    "UPDATE users SET password = 'hunter2' WHERE id = 1",
    "SELECT E'\\x' , 1",
    'SELECT $$a$$, 1',
    'SELECT 1 -- 2',
    'SELECT 1 /* 2 */',
    'SELECT 1 # 2',
    'SELECT "1" FROM t WHERE id = 1',
    'SELECT `1` FROM t WHERE id = 1',
    'SELECT @v1 := 1',
    'SELECT 1.5',
    'SELECT a$b FROM t WHERE id = 1',
    `SELECT ${'x'.repeat(20_000)} FROM t WHERE id = 1`,
  ]) {
    assert.equal(integerShape(sql), null, sql);
  }
  assert.deepEqual(integerShape('SELECT a FROM t WHERE id = 12 AND b = $1'), {
    key: 'SELECT a FROM t WHERE id = \u0000 AND b = $1',
    holes: [27, 29],
  });
});
