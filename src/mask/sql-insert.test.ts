// INSERT shapes bind their values by position: with a column list, to the secret-named columns;
// without one, to every column but a plain number, NULL, DEFAULT, TRUE or FALSE. And MySQL's
// reading of quoted strings (backslash escapes, "…" strings) is read beside PostgreSQL's. A password
// of words, which no text rule takes for a secret, was recorded as typed in each shape here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createMasker } from './masker.js';
import { secretNameMatcher } from './secret-names.js';
import { secretBindings } from './sql-columns.js';

const masker = createMasker({ fingerprintKey: 'sql-insert-test-key-0123456789' });
const S = 'amber tide lullaby';
const M = '[MASKED:secret-column:';
const statement = (sql: string, parameters: (string | number)[] = []) =>
  masker.maskPayload({ statement: sql, parameters }, '') as {
    statement: string;
    parameters: (string | number)[];
  };

test('INSERT heads of every dialect bind the listed secret column, and only it', () => {
  const shapes = [
    `INSERT INTO users(name, password) VALUE ('ann', '${S}')`,
    `INSERT users(name, password) VALUES ('ann', '${S}')`,
    `REPLACE users (name, password) VALUES ('ann', '${S}')`,
    `REPLACE INTO users (name, password) VALUES ('ann', '${S}')`,
    `INSERT INTO users PARTITION (p0, p1) (name, password) VALUES ('ann', '${S}')`,
    `INSERT INTO users (name, password) OVERRIDING SYSTEM VALUE VALUES ('ann', '${S}')`,
    `INSERT INTO app.users AS u (name, password) VALUES ('ann', '${S}') ON CONFLICT DO NOTHING`,
    `INSERT HIGH_PRIORITY IGNORE INTO users (name, password) VALUES ('ann', '${S}')`,
    `INSERT INTO users (name, password) (SELECT 'ann', '${S}')`,
    `INSERT INTO users (name, password) VALUES ROW('ann', '${S}'), ROW('bob', '${S}')`,
  ];
  for (const sql of shapes) {
    const out = statement(sql).statement;
    assert.ok(!out.includes(S), sql);
    assert.ok(out.includes(`'ann', '${M}`), `${sql}\n${out}`);
  }
});

test('an INSERT without a column list masks every value but plain literals', () => {
  const out = statement(
    `INSERT INTO users VALUES (1, 'ann', '${S}', NULL, DEFAULT, TRUE, -2.5), (2, 'bob', upper('${S}'), 3, 4, 5, 6)`,
  ).statement;
  assert.ok(!out.includes(S), out);
  assert.ok(!out.includes("'ann'") && !out.includes("'bob'"), out);
  assert.ok(out.startsWith(`INSERT INTO users VALUES (1, '${M}`), out);
  assert.ok(out.includes(', NULL, DEFAULT, TRUE, -2.5), (2, '), out);
  const selected = statement(`INSERT INTO users SELECT 7, '${S}' FROM dual WHERE 'x' = 'x'`).statement;
  assert.ok(!selected.includes(S), selected);
  assert.ok(selected.endsWith("FROM dual WHERE 'x' = 'x'"), selected);
  // A parameter sent as text is masked whatever the column's type; one sent as a number is kept.
  const bound = statement('INSERT INTO users VALUES ($1, $2, $3, $4)', [1, 'ann', S, '2']);
  assert.equal(bound.parameters[0], 1);
  for (const p of bound.parameters.slice(1))
    assert.match(String(p), /^\[MASKED:secret-column:[0-9a-f]{6}\]$/);
});

test('the string function REPLACE and a column named insert bind nothing', () => {
  for (const sql of [
    `SELECT replace(name, 'a', '${S}') FROM users`,
    `SELECT x.replace FROM t x WHERE note = '${S}'`,
    `SELECT insert('abc', 1, 1, '${S}')`,
  ])
    assert.equal(statement(sql).statement, sql);
});

test("MySQL's reading: a backslash-escaped quote and double-quoted strings do not shift the values", () => {
  const cases = [
    `INSERT INTO users (name, password) VALUES ('O\\'Brien', '${S}')`,
    `INSERT INTO users (name, password) VALUES ("ann", "${S}")`,
    `INSERT INTO users (name, password) VALUES ('a\\\\', '${S}')`,
    `UPDATE users SET password = "${S}" WHERE name = 'O\\'Brien'`,
    `UPDATE users SET note = 'it\\'s', password = '${S}'`,
    `SELECT * FROM users WHERE name = 'x\\'' AND password = '${S}' # a comment's quote: '`,
  ];
  for (const sql of cases) {
    const out = statement(sql).statement;
    assert.ok(!out.includes(S), `${sql}\n${out}`);
  }
  // PostgreSQL's reading is kept: a backslash ends nothing there, and the value after it is bound.
  const pg = `INSERT INTO users (path, password) VALUES ('C:\\', '${S}')`;
  assert.ok(!statement(pg).statement.includes(S), statement(pg).statement);
});

test('both readings bind within the statement over any text (property)', () => {
  const secret = secretNameMatcher();
  fc.assert(
    fc.property(
      fc.string({ maxLength: 120, unit: fc.constantFrom(...`ab '"\\#(),;=$?-\n`.split('')) }),
      (tail) => {
        const sql = `INSERT INTO t (name, password) VALUES ${tail}`;
        for (const l of secretBindings(sql, secret).literals) assert.ok(l.start >= 0 && l.end <= sql.length);
      },
    ),
    { numRuns: 400 },
  );
});
