// A connection remembers the views and tables it made, filled or renamed from a secret column, so a
// later `SELECT p FROM v` (which names nothing secret) has its cells withheld: recorded in clear
// until 6 December. Relations made from ordinary columns, and statements that do not mention a
// remembered relation, stay readable; a session read statement by statement or as one text is read
// alike; each statement is read in time linear in its length.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { secretNameMatcher } from './secret-names.js';
import { derivedSecretPositions } from './sql-derived-columns.js';
import { SessionRelations } from './sql-session-relations.js';

const secret = secretNameMatcher();

/** The result columns (by name) a session's last statement withholds, after the earlier ones were noted. */
function withheldColumns(statements: readonly string[], columns: readonly string[]): string[] {
  const relations = new SessionRelations();
  for (const s of statements) relations.note(s, secret);
  const last = statements[statements.length - 1]!;
  const reading = relations.reading(last);
  if (reading?.all) return [...columns];
  const derived = derivedSecretPositions(last, secret, reading?.names ?? []);
  if (derived === null) return [];
  if (derived.all) return [...columns];
  return columns.filter(
    (c, i) =>
      derived.fromStart.has(i) ||
      derived.fromEnd.has(columns.length - 1 - i) ||
      derived.names?.has(c.toLowerCase()) === true,
  );
}

test('relations made, filled or renamed from a secret have its values withheld when read later', () => {
  const cases: [string[], string[], string[]][] = [
    [['CREATE TEMP VIEW v AS SELECT id, password AS p FROM users', 'SELECT * FROM v'], ['id', 'p'], ['p']],
    [
      ['CREATE OR REPLACE TEMPORARY VIEW v (i, q) AS SELECT id, password FROM users', 'SELECT i, q FROM v'],
      ['i', 'q'],
      ['q'],
    ],
    [
      ['CREATE TEMP TABLE t AS SELECT id, upper(password) AS p FROM users', 'SELECT id, p FROM t'],
      ['id', 'p'],
      ['p'],
    ],
    [
      ['CREATE TEMPORARY TABLE t SELECT id, password AS p FROM users', 'SELECT p AS z, id FROM t'],
      ['z', 'id'],
      ['z'],
    ],
    [['CREATE TABLE t (id int) SELECT password AS p FROM users', 'SELECT * FROM t'], ['id', 'p'], ['p']],
    [['SELECT id, password AS q INTO TEMP t FROM users', 'SELECT q FROM t'], ['q'], ['q']],
    [
      ['INSERT INTO t (id, note) SELECT id, password FROM users', 'SELECT id, note FROM t'],
      ['id', 'note'],
      ['note'],
    ],
    [
      ['INSERT INTO t SELECT id, password FROM users', 'SELECT id, note FROM t'],
      ['id', 'note'],
      ['id', 'note'],
    ],
    [
      ['INSERT INTO t SELECT * FROM users', 'SELECT id, note FROM t'],
      ['id', 'note'],
      ['id', 'note'],
    ],
    [
      [
        'WITH s AS (SELECT password AS p FROM users) INSERT INTO t (note) SELECT p FROM s',
        'SELECT note FROM t',
      ],
      ['note'],
      ['note'],
    ],
    [
      ['UPDATE users SET name = password WHERE id = 5', 'SELECT id, name FROM users'],
      ['id', 'name'],
      ['name'],
    ],
    [['UPDATE users SET name = password RETURNING id, name'], ['id', 'name'], ['name']],
    [
      ['UPDATE notes n JOIN users u ON n.id = u.id SET n.note = u.password', 'SELECT note FROM notes'],
      ['note'],
      ['note'],
    ],
    [['ALTER TABLE users RENAME COLUMN password TO hint', 'SELECT hint FROM users'], ['hint'], ['hint']],
    [['ALTER TABLE accounts CHANGE password hint text', 'SELECT hint FROM accounts'], ['hint'], ['hint']],
    [
      ['CREATE VIEW v1 AS SELECT password AS x FROM users', 'ALTER VIEW v1 RENAME TO v2', 'SELECT x FROM v2'],
      ['x'],
      ['x'],
    ],
    [
      ['CREATE VIEW v1 AS SELECT password AS x FROM users', 'RENAME TABLE v1 TO v2', 'SELECT x FROM v2'],
      ['x'],
      ['x'],
    ],
    [
      [
        'CREATE VIEW v1 AS SELECT password AS x FROM users',
        'CREATE VIEW v2 AS SELECT x AS y FROM v1',
        'SELECT y FROM v2',
      ],
      ['y'],
      ['y'],
    ],
    [
      ['CREATE VIEW v AS SELECT * FROM products UNION SELECT * FROM users', 'SELECT name FROM v'],
      ['name'],
      ['name'],
    ],
    [
      ['CREATE TEMP TABLE t AS SELECT id, concat(password) FROM users', 'SELECT * FROM t'],
      ['id', 'concat'],
      ['id', 'concat'],
    ],
    [
      ['CREATE VIEW v AS SELECT name, password AS p FROM users', 'SELECT row_to_json(v) FROM v'],
      ['row_to_json'],
      ['row_to_json'],
    ],
  ];
  for (const [statements, columns, expected] of cases)
    assert.deepEqual(withheldColumns(statements, columns), expected, statements.join('; '));
});

test('relations made from ordinary columns, and statements that do not read a remembered one, keep their cells', () => {
  const cases: [string[], string[]][] = [
    [
      ['CREATE TEMP VIEW v AS SELECT id, name FROM users', 'SELECT id, name FROM v'],
      ['id', 'name'],
    ],
    [['CREATE TEMP TABLE t AS SELECT id, password FROM users', 'SELECT id FROM t'], ['id']],
    [
      ['CREATE TEMP VIEW v AS SELECT password AS p FROM users', 'SELECT id, p FROM products'],
      ['id', 'p'],
    ],
    [
      ['UPDATE users SET last_login = now() WHERE password = $1', 'SELECT last_login FROM users'],
      ['last_login'],
    ],
    [
      ['INSERT INTO t (id, note) VALUES (1, $1)', 'SELECT id, note FROM t'],
      ['id', 'note'],
    ],
    [
      ['CREATE TABLE t (id int, note text)', 'SELECT id, note FROM t'],
      ['id', 'note'],
    ],
    [['ALTER TABLE users RENAME COLUMN nick TO alias', 'SELECT alias FROM users'], ['alias']],
    [['SELECT password INTO @v FROM users', 'SELECT id FROM t'], ['id']],
  ];
  for (const [statements, columns] of cases)
    assert.deepEqual(withheldColumns(statements, columns), [], statements.join('; '));
});

test('property: a session read statement by statement or as one text withholds the same columns', () => {
  const made = fc.constantFrom(
    'CREATE TEMP VIEW v AS SELECT id, password AS p FROM users',
    'CREATE TEMP TABLE t AS SELECT id, password AS p FROM users',
    'INSERT INTO t (id, p) SELECT id, api_key FROM users',
    'CREATE VIEW v AS SELECT id, name FROM users',
    'UPDATE t SET p = token',
  );
  fc.assert(
    fc.property(
      fc.array(made, { minLength: 1, maxLength: 4 }),
      fc.constantFrom('v', 't'),
      (statements, read) => {
        const last = `SELECT id, p FROM ${read}`;
        const apart = withheldColumns([...statements, last], ['id', 'p']);
        const relations = new SessionRelations();
        const whole = [...statements, last].join('; ');
        relations.note(whole, secret);
        const reading = relations.reading(last);
        const together = reading?.all
          ? ['id', 'p']
          : (derivedSecretPositions(last, secret, reading?.names ?? [])?.fromStart.has(1) ?? false)
            ? ['p']
            : [];
        assert.deepEqual(apart, together, whole);
        const makesSecret = statements.some(
          (s) => (s.includes(` ${read} `) || s.endsWith(` ${read}`)) && /password|api_key|token/.test(s),
        );
        assert.equal(apart.includes('p'), makesSecret, whole);
      },
    ),
  );
});

test('property: any text of SQL words and brackets is noted without throwing', () => {
  const relations = new SessionRelations();
  fc.assert(
    fc.property(
      fc.array(
        fc.constantFrom(
          'CREATE',
          'TEMP',
          'VIEW',
          'TABLE',
          'v',
          't',
          'AS',
          'SELECT',
          'password',
          'p',
          'INTO',
          'INSERT',
          'UPDATE',
          'SET',
          '=',
          'ALTER',
          'RENAME',
          'TO',
          'COLUMN',
          'CHANGE',
          '(',
          ')',
          ',',
          ';',
          '.',
          'IF',
          'NOT',
          'EXISTS',
          'FROM',
          'users',
        ),
        { maxLength: 40 },
      ),
      (words) => {
        const sql = words.join(' ');
        relations.note(sql, secret);
        relations.reading(sql);
      },
    ),
    { numRuns: 500 },
  );
});

test('past the relations a connection remembers, every later result is withheld', () => {
  const relations = new SessionRelations();
  for (let i = 0; i < 300; i++)
    relations.note(`CREATE TEMP VIEW v${i} AS SELECT password AS p FROM users`, secret);
  assert.equal(relations.reading('SELECT 1')?.all, true);
});

// A scratch bound against a quadratic reading (minutes), not a measurement.
test('long statements are noted and read in time linear in their length', { timeout: 60_000 }, () => {
  const relations = new SessionRelations();
  relations.note('CREATE TEMP VIEW v AS SELECT password AS p FROM users', secret);
  for (const sql of [
    `UPDATE t SET ${Array.from({ length: 10_000 }, (_, i) => `c${i} = password`).join(', ')}`,
    `CREATE TABLE t AS SELECT ${Array.from({ length: 10_000 }, (_, i) => `p AS c${i}`).join(', ')} FROM v`,
    `ALTER TABLE t ${'RENAME COLUMN password TO p, '.repeat(5_000)}`,
    `SELECT ${'v, '.repeat(30_000)}1`,
  ]) {
    const started = performance.now();
    relations.note(sql, secret);
    relations.reading(sql);
    assert.ok(performance.now() - started < 20_000, sql.slice(0, 60));
  }
});
