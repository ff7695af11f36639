// A secret column's default value: `CREATE TABLE t (password text DEFAULT '…')`, `ALTER TABLE t
// ALTER [COLUMN] password SET DEFAULT '…'`, MySQL's `ADD | MODIFY [COLUMN] password … DEFAULT '…'`
// and `CHANGE password pw … DEFAULT '…'`. The value is a password every new row gets; until 7
// December it was recorded as typed in the statement, and read back in clear from `SHOW CREATE
// TABLE` (a cell read as SQL, sql-text-cells.ts). Each DEFAULT is bound to the column whose
// definition it ends: the definition is read back from the DEFAULT to where it begins.
import { openers } from './sql-parens.js';
import type { SqlToken } from './sql-tokens.js';

/** Words (and marks) a column's definition begins after: its name is the next token. */
const DEFINITION_STARTS = new Set(['(', ',', ';', 'column', 'add', 'modify', 'alter', 'change']);
/**
 * Tokens read back from a DEFAULT (a type's parentheses count as one): a definition's name, type and
 * constraints before its DEFAULT are short, and a bound keeps a text of many DEFAULTs linear.
 */
const MAX_REACH = 64;

/**
 * Calls `bind(from, column)` for each DEFAULT's value (from the token after DEFAULT) in a secret
 * column's definition. `match`: each `(`'s `)` (sql-parens.ts), so that a type's `(40)` is stepped over.
 */
export function defaultSecrets(
  tokens: readonly SqlToken[],
  match: Int32Array,
  secret: (column: string) => boolean,
  bind: (from: number, column: string) => unknown,
): void {
  let opener: Int32Array | undefined;
  for (let k = 1; k < tokens.length - 1; k++) {
    const t = tokens[k]!;
    if (t.kind !== 'ident' || t.text !== 'default' || t.name !== undefined) continue;
    opener ??= openers(match);
    const column = definedColumn(tokens, opener, k, secret);
    if (column !== null) bind(k + 1, column);
  }
}

/** The secret column whose definition holds the DEFAULT at `at`, or null. */
function definedColumn(
  tokens: readonly SqlToken[],
  opener: Int32Array,
  at: number,
  secret: (column: string) => boolean,
): string | null {
  let k = at - 1;
  // Read back over the definition (a type's parentheses whole) to the mark it begins after.
  for (let steps = 0; k >= 0; steps++) {
    if (steps >= MAX_REACH) return null;
    const t = tokens[k]!;
    if (t.kind === 'punct' && t.text === ')' && opener[k]! >= 0) k = opener[k]! - 1;
    else if ((t.kind === 'punct' || t.kind === 'ident') && DEFINITION_STARTS.has(t.text) && !t.name) break;
    else k--;
  }
  // MySQL's `CHANGE old new …`: either name may be the secret one.
  const names = tokens[k]?.text === 'change' ? [tokens[k + 1], tokens[k + 2]] : [tokens[k + 1]];
  for (const n of names) if (n?.kind === 'ident' && secret(n.name ?? n.text)) return n.name ?? n.text;
  return null;
}
