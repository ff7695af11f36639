// The classifier's shape cache must never give a verdict a fresh parse would not: for any literal
// values, a cached classification equals a fresh one (facts, text and tokens), and the texts an
// attacker would use to smuggle a statement past a cached shape are judged as a fresh parse judges them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { checkPinnedSettings } from './pinned-settings.js';
import { type Classification, classifyMysql, classifyUncached } from './sql-classifier.js';
import { lexMysql } from './sql-lexer.js';
import { statementShape } from './statement-shape.js';

const view = (c: Classification) => JSON.stringify(c);
const shape = (sql: string) => statementShape(sql, lexMysql(sql));

/** Classifies through the caches after warming the shape with other literals; must equal a fresh parse. */
function assertSameAsFresh(sql: string, warmWith: string): void {
  classifyMysql(warmWith);
  classifyMysql(warmWith);
  assert.equal(view(classifyMysql(sql)), view(classifyUncached(sql)), sql);
}

const quoted = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
const TEMPLATES = [
  'SELECT id, name FROM items WHERE id = {n} AND name <> {s}',
  'DELETE FROM t WHERE id = {n}',
  'DELETE FROM t WHERE {n}',
  'DELETE FROM {s} WHERE id = {n}',
  'UPDATE t SET a = {s} WHERE {s} = {s}',
  'INSERT INTO t (a, b) VALUES ({n}, {s})',
  'SELECT * FROM db.{n}',
  'SELECT {s} {s} FROM t LIMIT {n}',
  'SELECT x{s}',
  'SELECT * FROM t WHERE a = {s}; DELETE FROM u WHERE b = {n}',
  'SET @a = {s}',
  'SET sql_mode = {s}',
  'SELECT * FROM t WHERE a = "{raw}" AND b = {s}',
];
const literal = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9 _.,:@+\-/%=]{0,12}$/),
  fc.string({ maxLength: 12 }),
  fc.constantFrom("'; DROP TABLE t; --", "\\'; DROP TABLE t; --", '*/ DROP TABLE t /*', 'users', 'audit'),
);
const number = fc.oneof(
  fc.nat(999_999_999).map(String),
  fc.constantFrom('0', '007', '99999999999999999999', '1e5', '0x41', '123abc', '1.5'),
);

function fill(template: string, strings: string[], numbers: string[]): string {
  let s = 0;
  let n = 0;
  return template
    .replace(/\{s\}/g, () => quoted(strings[s++ % strings.length]!))
    .replace(/\{n\}/g, () => numbers[n++ % numbers.length]!)
    .replace(/\{raw\}/g, () => (strings[0] ?? '').replace(/["\\]/g, ''));
}

test('for random literal values, the cached classification equals a fresh parse', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...TEMPLATES),
      fc.array(literal, { minLength: 1, maxLength: 3 }),
      fc.array(number, { minLength: 1, maxLength: 2 }),
      fc.array(literal, { minLength: 1, maxLength: 3 }),
      fc.array(number, { minLength: 1, maxLength: 2 }),
      (template, strings, numbers, warmStrings, warmNumbers) => {
        assertSameAsFresh(fill(template, strings, numbers), fill(template, warmStrings, warmNumbers));
      },
    ),
    { numRuns: 300 },
  );
});

test('texts that differ only in plain literals share a shape; other differences do not', () => {
  const a = shape("SELECT * FROM t WHERE id = 1 AND name = 'ann'");
  assert.ok(a);
  assert.equal(shape("SELECT * FROM t WHERE id = 42 AND name = 'bob-2'"), a);
  assert.notEqual(shape("SELECT * FROM u WHERE id = 1 AND name = 'ann'"), a);
  assert.notEqual(shape('SELECT * FROM t WHERE id = 1 AND name = "ann"'), a);
  assert.notEqual(shape("SELECT * FROM t WHERE id = 1 AND name = 'it''s'"), a);
  // A literal the placeholder could be mistaken for stays in the key.
  assert.notEqual(shape("SELECT * FROM t WHERE id = 1 AND name = '?'"), a);
});

test('texts whose verdict may read a literal get no shape', () => {
  for (const sql of [
    "SET sql_mode = 'ANSI_QUOTES'",
    "SET NAMES 'gbk'",
    "SET @@session.character_set_client = 'sjis'",
    "SELECT 1; SET sql_mode = 'NO_BACKSLASH_ESCAPES'",
    "PREPARE s FROM 'DELETE FROM t'",
    "EXECUTE s USING 'x'",
    "SELECT * FROM t WHERE id = 1 /*!, (SELECT 'x') */",
    "SELECT * FROM t WHERE a = 'x' -- comment",
    "SELECT * FROM t WHERE a = 'x' # comment",
    "SELECT * FROM t WHERE a = 'x\\' OR b = 'y'",
    "SELECT * FROM t WHERE a = 'x'\0 AND b = 1",
    'SELECT * FROM t',
  ]) {
    assert.equal(shape(sql), null, sql);
  }
});

test('a string that would end a statement under another reading gets the fresh verdict', () => {
  const warm = "SELECT * FROM t WHERE name = 'abc'";
  for (const sql of [
    "SELECT * FROM t WHERE name = '\\'; DROP TABLE t; --'",
    "SELECT * FROM t WHERE name = '''; DROP TABLE t; --'",
    "SELECT * FROM t WHERE name = 'x'; DROP TABLE t; -- '",
    "SELECT * FROM t WHERE name = 'x' /*!; DROP TABLE t */",
    "SELECT * FROM t WHERE name = 'x\\\\'; DROP TABLE t; --'",
  ]) {
    assertSameAsFresh(sql, warm);
  }
  // And the verdict is the one that matters: the DROP is seen exactly where the server runs it.
  const kinds = (sql: string) => classifyMysql(sql).statements.map((s) => s.kind);
  assert.deepEqual(kinds("SELECT * FROM t WHERE name = 'x'; DROP TABLE t; -- '"), ['SELECT', 'DROP']);
  assert.deepEqual(kinds("SELECT * FROM t WHERE name = '''; DROP TABLE t; --'"), ['SELECT']);
});

test('a string the parser reads as a table name is not served from the shape of another', () => {
  classifyMysql("DELETE FROM 'users' WHERE id = 1");
  assert.deepEqual(classifyMysql("DELETE FROM 'audit' WHERE id = 2").statements[0]!.tables, ['audit']);
  classifyMysql('DELETE FROM "users" WHERE id = 1');
  assert.deepEqual(classifyMysql('DELETE FROM "audit" WHERE id = 2').statements[0]!.tables, ['audit']);
});

test('the pinned settings read the value of each SET text, not a cached one', () => {
  classifyMysql("SET sql_mode = 'STRICT_ALL_TABLES'");
  const c = classifyMysql("SET sql_mode = 'ANSI_QUOTES'");
  assert.ok(c.tokens.some((tokens) => checkPinnedSettings(tokens) !== null));
});

test('a cached shape carries each text and its own tokens', () => {
  classifyMysql("SELECT * FROM t WHERE id = 5 AND name = 'five'");
  const c = classifyMysql("SELECT * FROM t WHERE id = 6 AND name = 'six'");
  assert.equal(c.statements[0]!.text, "SELECT * FROM t WHERE id = 6 AND name = 'six'");
  assert.ok(c.tokens[0]!.some((t) => t.kind === 'string' && t.text === 'six'));
});
