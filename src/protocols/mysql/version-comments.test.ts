// Version-gated comments read as each server reads them.
// The property tests pin the two readings down: a comment the server skips is transparent whatever
// quotes it holds (so nothing after it can hide in a "string" Vigil alone sees), and one it runs is
// its content.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { classifyMysql } from './sql-classifier.js';
import { lexMysql } from './sql-lexer.js';
import { commentEnd, readVersionComment, serverDialect } from './version-comments.js';

const MARIADB = serverDialect('5.5.5-10.11.19-MariaDB-0+deb12u1')!;
const MYSQL = serverDialect('8.0.36')!;

test('greetings name the server and its version', () => {
  assert.deepEqual(MARIADB, { mariadb: true, version: 101119 });
  assert.deepEqual(serverDialect('11.4.2-MariaDB-log'), { mariadb: true, version: 110402 });
  assert.deepEqual(MYSQL, { mariadb: false, version: 80036 });
  assert.equal(serverDialect('vigil'), null);
});

test('which comments each server runs, skips, or Vigil cannot know', () => {
  const r = (server: typeof MARIADB | null, marker: '!' | 'M!', digits: string) =>
    readVersionComment(server, marker, digits).reading;
  // MariaDB: MySQL-only versions 50700-99999 are skipped, its own marker runs them.
  assert.equal(r(MARIADB, '!', ''), 'run');
  assert.equal(r(MARIADB, '!', '40101'), 'run');
  assert.equal(r(MARIADB, '!', '50700'), 'skip');
  assert.equal(r(MARIADB, '!', '99999'), 'skip');
  assert.equal(r(MARIADB, 'M!', '50700'), 'run');
  assert.equal(r(MARIADB, '!', '100000'), 'run');
  assert.equal(r(MARIADB, '!', '101120'), 'skip');
  assert.equal(r(MARIADB, 'M!', '999999'), 'skip');
  // MySQL: five digits; `/*M!` is a plain comment; a sixth digit depends on the release.
  assert.equal(r(MYSQL, '!', '80036'), 'run');
  assert.equal(r(MYSQL, '!', '80037'), 'skip');
  assert.equal(r(MYSQL, 'M!', '100000'), 'comment');
  assert.equal(r(MYSQL, '!', '800360'), 'uncertain');
  // Unknown server: only what every MySQL >= 5.7 and MariaDB runs.
  assert.equal(r(null, '!', ''), 'run');
  assert.equal(r(null, '!', '50699'), 'run');
  assert.equal(r(null, '!', '50700'), 'uncertain');
  assert.equal(r(null, 'M!', ''), 'uncertain');
});

test("a skipped comment ends at the first */, one nested comment allowed, as the server's consume_comment", () => {
  assert.equal(commentEnd("a ' */ b", 0, 1), 6);
  assert.equal(commentEnd('a /* x */ b */ c', 0, 1), 14);
  assert.equal(commentEnd('a /* x */ b */ c', 0, 0), 9);
  assert.equal(commentEnd('a /* x */ b', 0, 1), -1);
});

test('the attack texts read as MariaDB reads them', () => {
  const kinds = (sql: string, server = MARIADB) => classifyMysql(sql, server).statements.map((s) => s.kind);
  assert.deepEqual(kinds("/*!99999 select ' */ drop table t -- ' */"), ['DROP']);
  assert.deepEqual(kinds("select 'a' /*!99999 ' */ ; drop table t; -- ' */"), ['SELECT', 'DROP']);
  assert.equal(
    classifyMysql('delete from t /*!99999 where id = 1 */', MARIADB).statements[0]!.hasWhere,
    false,
  );
  assert.deepEqual(kinds('/*M!100100 truncate table t */'), ['TRUNCATE']);
  assert.deepEqual(kinds('/*M!100100 truncate table t */', MYSQL), ['UNKNOWN']);
  const unknown = classifyMysql("/*!99999 select ' */ drop table t -- ' */");
  assert.match(unknown.unreadable ?? '', /version-gated comment/);
});

const PLAIN = fc
  .array(fc.constantFrom('select', 'drop', 'table', 't', '1', ',', ';', '(', ')', '=', ' ', '\n', 'x.y'), {
    maxLength: 12,
  })
  .map((parts) => parts.join(' '));
/** Comment bodies with quotes, semicolons and line comments, but no comment delimiters. */
const BODY = fc
  .array(fc.constantFrom("'", '"', '`', '\\', ';', '#', '-- ', '\n', 'drop', 'select', ' ', '*', '/'), {
    maxLength: 12,
  })
  .map((parts) => parts.join(''))
  .filter(
    (b) =>
      !b.includes('*/') && !b.includes('/*') && !b.endsWith('*') && !b.endsWith('/') && !b.startsWith('/'),
  );
const tokensOf = (sql: string, server = MARIADB) => lexMysql(sql, server).statements.map((s) => s.tokens);

test('a comment the server skips is transparent, whatever quotes it holds', () => {
  fc.assert(
    fc.property(
      PLAIN,
      BODY,
      PLAIN,
      fc.constantFrom('/*!99999', '/*!50700', '/*!101120'),
      (pre, body, post, open) => {
        const lexed = lexMysql(`${pre} ${open}${body}*/ ${post}`, MARIADB);
        assert.equal(lexed.unterminated, false);
        assert.deepEqual(
          lexed.statements.map((s) => s.tokens),
          tokensOf(`${pre}  ${post}`),
        );
      },
    ),
    { numRuns: 500 },
  );
});

test('a comment the server runs is its content', () => {
  fc.assert(
    fc.property(
      PLAIN,
      PLAIN,
      PLAIN,
      fc.constantFrom('/*!', '/*!40101', '/*M!100000', '/*!101119'),
      (pre, body, post, open) => {
        assert.deepEqual(tokensOf(`${pre} ${open} ${body} */ ${post}`), tokensOf(`${pre}  ${body}  ${post}`));
      },
    ),
    { numRuns: 300 },
  );
});
