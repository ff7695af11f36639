// Binding values to columns is counted, not timed (sql-value-binder.ts counts its steps): a shape
// repeated four times as often may take at most about four times the steps, and never more than
// four steps a token. The SQL readers' tests share this check.
import assert from 'node:assert/strict';
import { secretNameMatcher } from '../../src/mask/secret-names.js';
import { comparisonSecrets } from '../../src/mask/sql-comparisons.js';
import { insertSecrets } from '../../src/mask/sql-insert.js';
import { matchingCases, matchingParens } from '../../src/mask/sql-parens.js';
import { tokenizeSql } from '../../src/mask/sql-tokens.js';
import { ValueBinder } from '../../src/mask/sql-value-binder.js';

const secret = secretNameMatcher();

/** The binder's steps for `sql` (comparisons and INSERTs), and its token count. */
export function bindingSteps(sql: string): { steps: number; tokens: number } {
  const tokens = tokenizeSql(sql);
  const match = matchingParens(tokens);
  const binder = new ValueBinder(tokens, match, matchingCases(tokens));
  const bindFrom = (from: number, column: string) => binder.bind(from, column);
  comparisonSecrets(tokens, match, matchingCases(tokens), secret, bindFrom);
  insertSecrets(tokens, match, secret, bindFrom);
  return { steps: binder.steps, tokens: tokens.length };
}

/** `sqlOf(n)`: the shape repeated n times; read at 2,000 and 8,000 repetitions. */
export function assertLinearSteps(label: string, sqlOf: (n: number) => string): void {
  const small = bindingSteps(sqlOf(2_000));
  const large = bindingSteps(sqlOf(8_000));
  assert.ok(large.steps <= 4 * large.tokens, `${label}: ${large.steps} steps for ${large.tokens} tokens`);
  // Four times the statement, at most about four times the steps.
  assert.ok(large.steps <= 4.5 * Math.max(small.steps, 1), `${label}: ${small.steps} → ${large.steps}`);
}
