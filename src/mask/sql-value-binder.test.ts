// Binding values to columns looks at each token a bounded number of times, whatever the shape:
// values that run to the same end, nested groups and CASEs. Counted, not timed: the count grew
// with the square of the statement for some of these shapes until 6 December (a megabyte of
// `password = 'x' ` took 15 s of the event loop).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { secretNameMatcher } from './secret-names.js';
import { comparisonSecrets } from './sql-comparisons.js';
import { insertSecrets } from './sql-insert.js';
import { matchingCases, matchingParens } from './sql-parens.js';
import { tokenizeSql } from './sql-tokens.js';
import { ValueBinder } from './sql-value-binder.js';

const secret = secretNameMatcher();

function stepsFor(sql: string): { steps: number; tokens: number } {
  const tokens = tokenizeSql(sql);
  const match = matchingParens(tokens);
  const binder = new ValueBinder(tokens, match, matchingCases(tokens));
  const bindFrom = (from: number, column: string) => binder.bind(from, column);
  comparisonSecrets(tokens, match, matchingCases(tokens), secret, bindFrom);
  insertSecrets(tokens, match, secret, bindFrom);
  return { steps: binder.steps, tokens: tokens.length };
}

test('hostile shapes are bound in a number of steps linear in their tokens', () => {
  for (const unit of [
    "password = 'x' ",
    'password = password ',
    "'x' = password ",
    'password between ',
    "password in 'x' ",
    '(password) = ',
    'CASE password WHEN ',
    "password = CASE WHEN a = 1 THEN 'x' ",
  ]) {
    const small = stepsFor(`SELECT ${unit.repeat(2_000)}`);
    const large = stepsFor(`SELECT ${unit.repeat(8_000)}`);
    assert.ok(large.steps <= 4 * large.tokens, `${unit}: ${large.steps} steps for ${large.tokens} tokens`);
    // Four times the statement, at most about four times the steps.
    assert.ok(large.steps <= 4.5 * Math.max(small.steps, 1), `${unit}: ${small.steps} → ${large.steps}`);
  }
});
