// The rows of a VALUES list that is a statement's result: `VALUES ((SELECT password FROM users
// LIMIT 1))`, a set operation's branch (`SELECT name FROM t UNION VALUES (…)`), the query after a
// WITH. The server names their columns `column1`… (PostgreSQL) or after their text (MariaDB), so a
// secret read into one was recorded in clear until 6 December; sql-derived-columns.ts withholds the
// positions whose values name a secret. An INSERT's VALUES are not a result and are not read here.
import type { ClauseToken } from './sql-clauses.js';
import { skipValue } from './sql-lists.js';
import { afterWith } from './sql-subquery-lists.js';

/** One value of a result row: its position and tokens [from, to). */
export interface RowValue {
  readonly index: number;
  readonly from: number;
  readonly to: number;
}

/** Words before VALUES that make it a set operation's branch. */
const BRANCH_BEFORE = new Set(['union', 'intersect', 'except', 'minus', 'all', 'distinct']);

/** Every value of every row of the statement's result VALUES lists, read once. */
export function resultValues(tokens: readonly ClauseToken[], match: Int32Array): RowValue[] {
  const out: RowValue[] = [];
  const query = tokens[0]?.text === 'with' ? afterWith(tokens, match, 0) : 0;
  let depth = 0;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind === 'punct' && t.text === '(') depth++;
    else if (t.kind === 'punct' && t.text === ')') depth = Math.max(0, depth - 1);
    if (t.kind !== 'ident' || t.text !== 'values' || depth !== 0) continue;
    const before = tokens[k - 1];
    if (
      !(k === query || before?.text === ';' || (before?.kind === 'ident' && BRANCH_BEFORE.has(before.text)))
    )
      continue;
    k = rowValues(tokens, match, k + 1, out) - 1;
  }
  return out;
}

/** The values of rows `(…), ROW(…)` from token `from`; returns the token after the last row. */
function rowValues(tokens: readonly ClauseToken[], match: Int32Array, from: number, out: RowValue[]): number {
  let r = from;
  for (;;) {
    if (tokens[r]?.text === 'row') r++;
    if (tokens[r]?.text !== '(' || match[r]! < 0) return r;
    const close = match[r]!;
    let v = r + 1;
    for (let index = 0; v < close; index++) {
      const end = Math.min(skipValue(tokens, match, v), close);
      out.push({ index, from: v, to: end });
      if (tokens[end]?.text !== ',') break;
      v = end + 1;
    }
    r = close + 1;
    if (tokens[r]?.text !== ',') return r;
    r++;
  }
}

/**
 * Whether a set operation at the statement's top takes a whole table as a later branch (`SELECT
 * name FROM t UNION TABLE users`): its columns, a password among them, fill the first branch's.
 */
export function tableBranch(tokens: readonly ClauseToken[]): boolean {
  let depth = 0;
  for (let k = 1; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind === 'punct' && t.text === '(') depth++;
    else if (t.kind === 'punct' && t.text === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0 && t.kind === 'ident' && t.text === 'table') {
      const before = tokens[k - 1]!;
      if (before.kind === 'ident' && BRANCH_BEFORE.has(before.text) && tokens[k + 1]?.kind === 'ident')
        return true;
    }
  }
  return false;
}
