// Derived tables whose column is given to a secret column by name, beyond a VALUES list with an
// alias column list (sql-values-aliases.ts): a VALUES list under its default names (PostgreSQL's
// `column1`, `column2`…, MySQL's `column_0`…: `INSERT INTO users (name, password) SELECT column1,
// column2 FROM (VALUES ('ann', '…')) v`), and a SELECT that names its values (`INSERT … SELECT n,
// p FROM (SELECT 'ann' AS n, '…' AS p) s`, `JOIN (SELECT '…' AS p) v … SET u.password = v.p`, a
// CTE `WITH s AS (SELECT '…' AS p)`). Their names say nothing, so a password of words there was
// recorded as typed until 6 December. Each derived table's select list is read at its own level,
// nested groups stepped over, so a statement is read once whatever it nests.
import type { BindFrom, ClauseToken } from './sql-clauses.js';
import { bindRows, columnList, ITEM_END, type PositionColumn, skipValue } from './sql-lists.js';
import { bindSelectBranches } from './sql-subquery-lists.js';

/** What a column reference was given to: by `qualifier.name` (`.name` unqualified), its secret column. */
export type ReferenceColumn = (alias: string, name: string) => string | null;

/** Words after `(VALUES …)` or `(SELECT …)` that are not its alias. */
const NOT_ALIASES = new Set([
  ...ITEM_END,
  'and',
  'or',
  'join',
  'inner',
  'left',
  'right',
  'full',
  'cross',
  'natural',
  'using',
  'set',
  'having',
  'window',
  'intersect',
  'except',
  'minus',
  'offset',
  'fetch',
  'for',
  'then',
  'else',
  'end',
  'when',
  'not',
  'is',
  'in',
  'like',
  'between',
]);

/** `[AS] alias` after the `)` at `close`: the alias (`''` where none is written) and the token after it. */
function aliasAfter(tokens: readonly ClauseToken[], close: number): { alias: string; next: number } {
  let a = close + 1;
  const as = tokens[a]?.text === 'as';
  if (as) a++;
  const t = tokens[a];
  if (t?.kind === 'ident' && (as || !NOT_ALIASES.has(t.text))) return { alias: t.text, next: a + 1 };
  return { alias: '', next: a };
}

/** Binds the rows of `(VALUES …) [AS] alias` without a column list by their default names. */
export function bindDefaultValues(
  tokens: readonly ClauseToken[],
  match: Int32Array,
  k: number,
  reference: ReferenceColumn,
  bindFrom: BindFrom,
): void {
  if (tokens[k]!.text !== 'values' || tokens[k - 1]?.text !== '(') return;
  const close = match[k - 1]!;
  if (close < 0) return;
  const { alias, next } = aliasAfter(tokens, close);
  if (tokens[next]?.text === '(') return;
  const columnOf: PositionColumn = (index) =>
    reference(alias, `column${index + 1}`) ?? reference(alias, `column_${index}`);
  bindRows(tokens, match, k + 1, columnOf, bindFrom);
}

/**
 * Binds the select lists of `(SELECT …) [AS] alias [(cols)]` or `alias [(cols)] AS (SELECT …)` (a
 * CTE) read at token `k` (its `select`, or the CTE's alias), at the positions whose names were given
 * to a secret column.
 */
export function bindDerivedSelect(
  tokens: readonly ClauseToken[],
  match: Int32Array,
  k: number,
  reference: ReferenceColumn,
  bindFrom: BindFrom,
): void {
  const t = tokens[k]!;
  if (t.kind !== 'ident') return;
  let open: number;
  let alias: string;
  let columns: string[] | null = null;
  if (t.text === 'select' && tokens[k - 1]?.text === '(' && tokens[k - 2]?.text !== 'in') {
    open = k - 1;
    const close = match[open]!;
    if (close < 0) return;
    const after = aliasAfter(tokens, close);
    if (after.alias === '') return;
    alias = after.alias;
    columns = columnList(tokens, after.next)?.columns ?? null;
  } else {
    // A CTE: `alias [(cols)] AS [NOT] [MATERIALIZED] (SELECT …)`.
    let q = k + 1;
    if (tokens[q]?.text === '(') {
      const list = columnList(tokens, q);
      if (list === null) return;
      columns = list.columns;
      q = list.next;
    }
    if (tokens[q]?.text !== 'as' || tokens[k - 1]?.text === '.') return;
    q++;
    if (tokens[q]?.text === 'not') q++;
    if (tokens[q]?.text === 'materialized') q++;
    if (tokens[q]?.text !== '(' || tokens[q + 1]?.text !== 'select') return;
    open = q;
    alias = t.text;
  }
  const close = match[open]!;
  if (close < 0) return;
  const names = columns ?? itemNames(tokens, match, open + 2);
  const columnOf: PositionColumn = (index) => {
    const name = names[index];
    return name === undefined ? null : reference(alias, name.toLowerCase());
  };
  if (names.some((_, i) => columnOf(i, 0) !== null))
    bindSelectBranches(tokens, match, open + 1, close, columnOf, bindFrom);
}

/** Words after SELECT that are not its first item. */
const MODIFIERS = new Set(['distinct', 'all']);

/**
 * The names a select list from token `from` gives its items, by position: an alias (`… AS p`,
 * `'…' p`) or a column's own name (`s.p`); `''` for an expression without one.
 */
function itemNames(tokens: readonly ClauseToken[], match: Int32Array, from: number): string[] {
  const names: string[] = [];
  let r = from;
  while (MODIFIERS.has(tokens[r]?.text ?? '')) r++;
  for (;;) {
    const end = skipValue(tokens, match, r);
    const last = tokens[end - 1];
    names.push(end > r && last?.kind === 'ident' ? (last.name ?? last.text) : '');
    if (tokens[end]?.text !== ',') return names;
    r = end + 1;
  }
}
