import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import { loadModule, scanSync } from 'libpg-query';
import { SqlClassifier } from './sql-classifier.js';
import { pgStatementShape } from './statement-shape.js';

interface ScanToken {
  start: number;
  end: number;
  text: string;
  tokenName: string;
}

before(async () => {
  await loadModule();
});

/** PostgreSQL's own scanner: the constants it finds, as start/end pairs (ASCII texts: bytes = chars). */
function serverLiterals(sql: string): { strings: number[]; integers: number[] } | null {
  let tokens: ScanToken[];
  try {
    tokens = (scanSync(sql) as { tokens: ScanToken[] }).tokens;
  } catch {
    return null;
  }
  const strings: number[] = [];
  const integers: number[] = [];
  for (const t of tokens) {
    if (t.tokenName === 'SCONST') strings.push(t.start, t.end);
    if (t.tokenName === 'ICONST') integers.push(t.start, t.end);
  }
  return { strings, integers };
}

// Pieces an attacker or an application might put together: keywords, literals of every kind,
// quotes, comments, dollar quotes, escapes, operators.
const piece = fc.constantFrom(
  'SELECT',
  'select',
  'INSERT INTO t (a, b) VALUES',
  'UPDATE t SET a =',
  'DELETE FROM t WHERE a =',
  'WITH x AS (SELECT 1)',
  'VALUES',
  'TABLE t',
  'SET search_path =',
  'COPY t FROM',
  'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS',
  ' ',
  '\n',
  ',',
  ';',
  '(',
  ')',
  '=',
  '-',
  '/',
  '*',
  '&',
  '.',
  ':',
  '::int',
  "'",
  "''",
  "'a'",
  "'it''s'",
  "'a\\'",
  "E'a\\'b'",
  "e'x'",
  "U&'d\\0061t'",
  "B'101'",
  "X'1F'",
  "N'x'",
  '"',
  '"q""i"',
  '"it\'s"',
  '$1',
  '$$',
  '$tag$',
  'a$b',
  '--',
  '/*',
  '*/',
  '0',
  '7',
  '42',
  '1.5',
  '.5',
  '1e3',
  '0x1F',
  '1_000',
  '12abc',
  '123456789012345678901',
  'aid',
  'interval',
  'pg_sleep(',
  'set_config(',
  '\\',
  '\t',
);

let shaped = 0;

// Mostly pieces that keep a shape, so that most texts are checked, with the dangerous ones mixed in.
const safePiece = fc.constantFrom(
  ' ',
  ',',
  '(',
  ')',
  '=',
  '-',
  "'a'",
  "''",
  "'it''s'",
  '"q""i"',
  '"it\'s"',
  '$1',
  '0',
  '42',
  'aid',
  'interval',
  '; SELECT',
  '\n',
);
const mixedPiece = fc.oneof({ arbitrary: safePiece, weight: 6 }, { arbitrary: piece, weight: 1 });

test('every literal Vigil replaces is a constant where PostgreSQL scanner sees one, and no string is missed', () => {
  fc.assert(
    fc.property(
      fc.constantFrom('SELECT ', 'select', 'UPDATE t SET a = ', ''),
      fc.array(mixedPiece, { minLength: 1, maxLength: 14 }),
      (first, pieces) => {
        const sql = first + pieces.join(pieces.length % 3 ? ' ' : '');
        const shape = pgStatementShape(sql);
        shaped += shape === null ? 0 : 1;
        if (shape === null) return;
        const server = serverLiterals(sql);
        // Vigil gave a shape, so the text must be one PostgreSQL's scanner reads without error.
        assert.ok(server, `shape for a text the scanner refuses: ${JSON.stringify(sql)}`);
        const constants = new Set<string>();
        for (let i = 0; i < server.strings.length; i += 2)
          constants.add(`${server.strings[i]}:${server.strings[i + 1]}`);
        for (let i = 0; i < server.integers.length; i += 2)
          constants.add(`${server.integers[i]}:${server.integers[i + 1]}`);
        const replaced = new Set<string>();
        for (let i = 0; i < shape.spans.length; i += 2)
          replaced.add(`${shape.spans[i]}:${shape.spans[i + 1]}`);
        for (const span of replaced)
          assert.ok(constants.has(span), `${JSON.stringify(sql)}: ${span} is no constant`);
        for (let i = 0; i < server.strings.length; i += 2) {
          const span = `${server.strings[i]}:${server.strings[i + 1]}`;
          assert.ok(replaced.has(span), `${JSON.stringify(sql)}: string ${span} kept in the shape`);
        }
      },
    ),
    { numRuns: 3000 },
  );
  // Not vacuous: a good part of the generated texts get a shape and are checked.
  assert.ok(shaped > 300, `only ${shaped} of 3000 texts had a shape`);
});

test('texts another reading could split differently get no shape', () => {
  for (const sql of [
    "SELECT 1 -- ' comment",
    "SELECT 1 /* ' */ , 'a'",
    "SELECT $$ ' $$, 1",
    'SELECT $tag$ 1 $tag$',
    "SELECT E'\\'', 1",
    "SELECT U&'\\0041', 1",
    "SELECT 'a\\', 1",
    "SELECT 'unterminated, 1",
    'SELECT "unterminated, 1',
    "SET search_path = 'x', 1",
    "COPY t FROM '/etc/passwd'",
    "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'DELETE FROM t'",
    "DO 'BEGIN END'",
    'SELECT a$b FROM t WHERE c = 1',
    "SELECT 1; SET role = 'admin'",
    'SELECT 1\0',
    '(SELECT 1)',
    // The literal after UESCAPE is the escape character of a U&"…" identifier: syntax, not a value.
    `DELETE FROM U&"!0074" UESCAPE '!'`,
    `SELECT 1 FROM u&"t" uescape '!' WHERE a = 1`,
    `SELECT 1 FROM t WHERE a = 1 AND U&"b" = 2`,
  ]) {
    assert.equal(pgStatementShape(sql), null, sql);
  }
});

test('texts that differ only in plain literals share a shape; the probe differs from the text', () => {
  const a = pgStatementShape("SELECT abalance FROM pgbench_accounts WHERE aid = 12 AND n <> 'x''y';");
  const b = pgStatementShape("SELECT abalance FROM pgbench_accounts WHERE aid = 7 AND n <> 'vigil_probe';");
  assert.ok(a && b);
  assert.equal(a.key, b.key);
  assert.notEqual(b.probe, "SELECT abalance FROM pgbench_accounts WHERE aid = 7 AND n <> 'vigil_probe';");
  assert.equal(pgStatementShape('SELECT abalance FROM t WHERE aid = $1'), null, 'no literal, no shape');
});

test('a classification served by shape equals a fresh parse, for generated statements with any literals', async () => {
  const shaped = await SqlClassifier.create(64);
  const fresh = await SqlClassifier.create(64, { byShape: false });
  const template = fc.constantFrom(
    (v: string[]) => `SELECT abalance FROM pgbench_accounts WHERE aid = ${v[0]}`,
    (v: string[]) => `UPDATE pgbench_accounts SET abalance = abalance + ${v[0]} WHERE aid = ${v[1]}`,
    (v: string[]) =>
      `INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (${v[0]}, ${v[1]}, 3, ${v[2]}, now())`,
    (v: string[]) => `DELETE FROM users WHERE name = ${v[0]}`,
    (v: string[]) => `DELETE FROM users WHERE ${v[0]} = ${v[1]}`,
    (v: string[]) => `SELECT set_config(${v[0]}, ${v[1]}, false)`,
    (v: string[]) => `SELECT pg_terminate_backend(${v[0]}); SELECT ${v[1]}`,
    (v: string[]) => `WITH d AS (DELETE FROM t WHERE id = ${v[0]} RETURNING *) SELECT * FROM d LIMIT ${v[1]}`,
    (v: string[]) => `SELECT * FROM t WHERE a IN (${v[0]}, ${v[1]}, ${v[2]})`,
    // A literal that is syntax: the escape character of a Unicode identifier (t, or pg_read_file).
    (v: string[]) => `DELETE FROM U&"!0074" UESCAPE ${v[0]} WHERE ${v[1]} = ${v[2]}`,
    (v: string[]) => `SELECT U&"pg_read_fil!0065" UESCAPE ${v[0]}(${v[1]})`,
    // A literal that is SQL the server runs.
    (v: string[]) => `SELECT query_to_xml(${v[0]}, true, true, ${v[1]})`,
  );
  const literal = fc.oneof(
    fc.integer({ min: 0, max: 1e9 }).map(String),
    fc.stringMatching(/^[a-z_ ']{0,12}$/).map((s) => `'${s.replaceAll("'", "''")}'`),
    fc.constantFrom("'search_path'", "'role'", "'standard_conforming_strings'", "'on'", "'none'", '0', '7'),
    fc.constantFrom("'!'", "'zz'", "'select 1'", "'select pg_read_file(''/etc/passwd'')'", "'select 2'"),
  );
  await fc.assert(
    fc.asyncProperty(template, fc.array(literal, { minLength: 3, maxLength: 3 }), async (make, values) => {
      const sql = make(values);
      assert.deepEqual(shaped.classify(sql), fresh.classify(sql), sql);
    }),
    { numRuns: 1500 },
  );
});

test('a shape whose classification reads a literal is parsed every time', async () => {
  const shaped = await SqlClassifier.create(64);
  const fresh = await SqlClassifier.create(64, { byShape: false });
  for (const sql of [
    "SELECT set_config('search_path', 'public', false)",
    "SELECT set_config('role', 'admin', false)",
    "SELECT set_config('standard_conforming_strings', 'off', false)",
    "SELECT set_config('role', 'none', false)",
  ]) {
    assert.deepEqual(shaped.classify(sql), fresh.classify(sql), sql);
  }
});
