// The quoted values of a database error about a secret column (src/mask/error-values.ts): every
// value is replaced, whatever it holds (quotes, the words of the message's tail), and the names the
// message quotes stay; an error about no secret column is left as the server wrote it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { maskQuotedValues, namesSecretColumn } from '../../src/mask/error-values.js';
import { secretNameMatcher } from '../../src/mask/secret-names.js';
import { echoMasker } from '../../src/mask/value-echoes.js';

const replace = (v: string) => `<${v.length}>`;
const secretName = secretNameMatcher();

const SHAPES: readonly [head: string, tail: string][] = [
  ["Duplicate entry '", "' for key 'api_token'"],
  ["Duplicate entry '", "' for key 'users.api_token'"],
  ["Truncated incorrect DOUBLE value: '", "'"],
  ["Truncated incorrect DECIMAL value: '", "'"],
  ["Incorrect integer value: '", "' for column `db`.`users`.`pin` at row 1"],
  ["Incorrect integer value: '", "' for column 'pin' at row 1"],
  ['value "', '" is out of range for type integer'],
  ['invalid input syntax for type integer: "', '"'],
  ['invalid input value for enum mood: "', '"'],
];

test('a value of a known shape is replaced whole, whatever it holds', () => {
  const value = fc.string({
    minLength: 1,
    maxLength: 40,
    unit: fc.constantFrom('a', ' ', "'", '"', 'x', '\\', ':', '`'),
  });
  fc.assert(
    fc.property(fc.constantFrom(...SHAPES), value, ([head, tail], v) => {
      assert.equal(maskQuotedValues(`${head}${v}${tail}`, replace), `${head}<${v.length}>${tail}`);
    }),
  );
});

test('a message of another shape has its quoted values replaced and its quoted names kept', () => {
  assert.equal(
    maskQuotedValues('duplicate key value violates unique constraint "accounts_api_key_key"', replace),
    'duplicate key value violates unique constraint "accounts_api_key_key"',
  );
  assert.equal(
    maskQuotedValues('null value in column "pin" of relation "cards" violates not-null constraint', replace),
    'null value in column "pin" of relation "cards" violates not-null constraint',
  );
  assert.equal(maskQuotedValues(`bad "it's "quoted" here" end`, replace), `bad "<18>" end`);
  assert.equal(maskQuotedValues("unterminated 'hunter two", replace), "unterminated '<10>");
  assert.equal(maskQuotedValues("can't compare", replace), "can't compare");
  // A value replaced already (a literal of the statement, by its pair) keeps its fingerprint.
  assert.equal(
    maskQuotedValues("Duplicate entry '[MASKED:secret-column:abcdef]' for key 'k'", replace),
    "Duplicate entry '[MASKED:secret-column:abcdef]' for key 'k'",
  );
});

test('no quoted value of a message survives, at any place, holding any characters', () => {
  const word = fc.string({ minLength: 1, maxLength: 12, unit: fc.constantFrom('a', 'b', ' ', ':', '(') });
  const secret = fc.string({ minLength: 1, maxLength: 16, unit: fc.constantFrom('S', 'Z', ' ', "'", '"') });
  fc.assert(
    fc.property(word, fc.constantFrom("'", '"'), secret, word, (before, q, s, after) => {
      const value = `Q${s}Q`;
      // The server opens a quote after a space, a colon or a parenthesis, never inside a word.
      const out = maskQuotedValues(`${before} ${q}${value}${q}${after}`, replace);
      assert.ok(!out.includes(value), out);
    }),
  );
});

test('an error is about a secret column when its statement or the message names one', () => {
  assert.ok(namesSecretColumn('UPDATE accounts SET note = note WHERE password::int > 0', secretName));
  assert.ok(namesSecretColumn('SELECT "Api_Key" FROM t', secretName));
  assert.ok(namesSecretColumn('SELECT u.`api_token` FROM users u', secretName));
  assert.ok(namesSecretColumn("Duplicate entry 'x' for key 'users.api_token'", secretName));
  assert.ok(!namesSecretColumn('SELECT name::int FROM users', secretName));
  assert.ok(!namesSecretColumn('invalid input syntax for type integer: "abc"', secretName));

  const echo = (statement: string) =>
    echoMasker({ statement, parameters: [] }, { statement, parameters: [] });
  assert.equal(
    echo('UPDATE accounts SET note = note WHERE password::int > 0')(
      'invalid input syntax for type integer: "willow candle"',
    ),
    'invalid input syntax for type integer: "(withheld)"',
  );
  assert.equal(
    echo('SELECT name::int FROM users')('invalid input syntax for type integer: "ann"'),
    'invalid input syntax for type integer: "ann"',
  );
});
