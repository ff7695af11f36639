// SQL EXECUTE's arguments masked as the parameters they bind (sql-execute.ts), and a secret column's
// value recorded by its digest: the lexer never fails, the arguments bound to a secret column through
// the text behind the name are found whatever the spacing, case and nesting, and nothing else is.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { NamedStatementText } from '../../src/core/db-payloads.js';
import type { JsonObject } from '../../src/core/events.js';
import { createMasker } from '../../src/mask/index.js';
import { secretNameMatcher } from '../../src/mask/secret-names.js';
import { executeArgumentSpans, preparedBody } from '../../src/mask/sql-execute.js';

const secret = secretNameMatcher();
const masker = createMasker({ fingerprintKey: 'sql-execute' });
const ADD_USER: NamedStatementText = {
  name: 'add_user',
  statement: 'PREPARE add_user(text, text) AS INSERT INTO users(name, password) VALUES ($1, $2)',
};

const argumentsAt = (sql: string, named: readonly NamedStatementText[]) =>
  executeArgumentSpans(sql, named, secret).map((s) => [sql.slice(s.start, s.end), s.column]);

test('the body of PREPARE name [(types)] AS ..., up to its statement end; a Parse text is its own body', () => {
  assert.equal(
    preparedBody(ADD_USER.statement, 'add_user'),
    'INSERT INTO users(name, password) VALUES ($1, $2)',
  );
  assert.equal(
    preparedBody(
      'SELECT 1; prepare "q" AS update t set secret = $1 where id = $2; PREPARE other AS SELECT $1',
      'q',
    ),
    'update t set secret = $1 where id = $2',
  );
  const parse = 'INSERT INTO users(name, password) VALUES ($1, $2)';
  assert.equal(preparedBody(parse, 'by_parse'), parse);
});

test('EXECUTE arguments that bind a secret column, in any case, spacing and nesting', () => {
  assert.deepEqual(argumentsAt("EXECUTE add_user('ann', 'pw one')", [ADD_USER]), [['pw one', 'password']]);
  assert.deepEqual(
    argumentsAt(
      "explain analyze execute ADD_USER ( 'ann' , upper('pw' || 'two') ); execute add_user('b', 'c')",
      [ADD_USER],
    ),
    [
      ['pw', 'password'],
      ['two', 'password'],
      ['c', 'password'],
    ],
  );
  // A name with no text recorded, or a text that binds no secret column: nothing.
  assert.deepEqual(argumentsAt("EXECUTE other('ann', 'pw')", [ADD_USER]), []);
  assert.deepEqual(
    argumentsAt("EXECUTE q('ann', 'pw')", [{ name: 'q', statement: 'INSERT INTO t(a, b) VALUES ($1, $2)' }]),
    [],
  );
  // A WHERE comparison in the prepared text binds as well as an INSERT column list.
  assert.deepEqual(
    argumentsAt('EXECUTE find(7, 123456)', [
      { name: 'find', statement: 'SELECT * FROM cards WHERE id = $1 AND card_number = $2' },
    ]),
    [['123456', 'card_number']],
  );
});

test('the lexer accepts any statement and any recorded texts; spans lie inside the statement', () => {
  fc.assert(
    fc.property(
      fc.string({ maxLength: 120 }),
      fc.array(fc.record({ name: fc.string({ maxLength: 8 }), statement: fc.string({ maxLength: 120 }) }), {
        maxLength: 3,
      }),
      (sql, named) => {
        for (const span of executeArgumentSpans(sql, named, secret)) {
          assert.ok(span.start >= 0 && span.start <= span.end && span.end <= sql.length);
        }
      },
    ),
  );
});

test('an argument at any position binds exactly the secret parameter it lands on', () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom('name', 'password', 'note', 'api_key'), { minLength: 1, maxLength: 5 }),
      fc.constantFrom('', ' ', '\n  '),
      (columns, gap) => {
        const params = columns.map((_, i) => `$${i + 1}`).join(', ');
        const named = [
          { name: 'p', statement: `PREPARE p AS INSERT INTO t(${columns.join(', ')}) VALUES (${params})` },
        ];
        const args = columns.map((c, i) => `'v${i}-${c}'`).join(`,${gap}`);
        const found = argumentsAt(`EXECUTE p${gap}(${gap}${args}${gap})`, named);
        const expected = columns.flatMap((c, i) => (secret(c) ? [[`v${i}-${c}`, c]] : []));
        assert.deepEqual(found, expected);
      },
    ),
  );
});

test('db.query: the EXECUTE argument and the literals of the text behind the name are masked', () => {
  const payload: JsonObject = {
    statement: "EXECUTE add_user('ann', 'summer dance party')",
    parameters: [],
    named_statements: [
      ADD_USER,
      {
        name: 'fixed',
        statement: "PREPARE fixed AS INSERT INTO users(name, password) VALUES ('dan', 'autumn leaf')",
      },
    ],
  };
  const masked = masker.maskPayload(payload, 'pg');
  assert.match(
    String(masked.statement),
    /^EXECUTE add_user\('ann', '\[MASKED:secret-column:[0-9a-f]{6}\]'\)$/,
  );
  const named = masked.named_statements as { name: string; statement: string }[];
  assert.deepEqual(named[0], ADD_USER, 'a text with parameters only is recorded as it is');
  assert.equal(named[1]!.name, 'fixed');
  assert.match(named[1]!.statement, /VALUES \('dan', '\[MASKED:secret-column:[0-9a-f]{6}\]'\)$/);
  assert.ok(!JSON.stringify(masked).includes('summer dance party'));
  assert.ok(!JSON.stringify(masked).includes('autumn leaf'));
});

test('db.result: a secret column value recorded by its digest has the digest masked', () => {
  // A row's later values are recorded as {bytes, sha256} once its earlier ones fill the row's bound:
  // the SHA-256 of a short password is found by guessing.
  const digest = 'a'.repeat(64);
  const masked = masker.maskPayload(
    {
      command_tag: 'SELECT 1',
      sqlstate: null,
      error_message: null,
      statement_index: 0,
      row_count: 1,
      duration_ms: 1,
      columns: ['id', 'blob', 'password'],
      rows: [['1', { bytes: 2_000_000, sha256: 'b'.repeat(64) }, { bytes: 7, sha256: digest }]],
    },
    'pg',
  );
  const [row] = masked.rows as JsonObject[][];
  assert.deepEqual(row![1], { bytes: 2_000_000, sha256: 'b'.repeat(64) }, 'not a secret column: kept');
  assert.equal(row![2]!.bytes, 7);
  assert.match(String(row![2]!.sha256), /^\[MASKED:secret-column:[0-9a-f]{6}\]$/);
});
