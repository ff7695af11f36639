// Lists of values bound to columns by position: a row `(…)` of VALUES, a select list, a column
// list `(a, b)`. Shared by sql-rows.ts (MERGE sources, CTEs, row assignments) and sql-insert.ts;
// they work on sql-tokens.ts's tokens and step over parenthesised groups whole, so nested values
// are read once (matchingParens), not again by every value around them.
import type { BindFrom, ClauseToken } from './sql-clauses.js';

/** Words that end a select-list item or a row element as `bindFrom` stops at them. */
export const ITEM_END = new Set([
  'from',
  'where',
  'union',
  'returning',
  'on',
  'group',
  'order',
  'limit',
  'into',
]);

/** The column the value at `index` of a list (starting at token `from`) is bound to, or null to skip it. */
export type PositionColumn = (index: number, from: number) => string | null;

/** Binds each value at a position whose name `secret` accepts: a column list applied by position. */
export function secretPositions(
  columns: readonly string[],
  secret: (name: string) => boolean,
): PositionColumn {
  return (index) => {
    const column = columns[index];
    return column !== undefined && secret(column) ? column : null;
  };
}

/**
 * Skips one value from `from`, over whole parenthesised groups; returns where it stopped (a `,`,
 * `)`, `;` or end word at its own depth, or the end when a group is never closed). `counter`
 * counts the tokens looked at, for the readers' linear-steps tests.
 */
export function skipValue(
  tokens: readonly ClauseToken[],
  match: Int32Array,
  from: number,
  counter?: { steps: number },
): number {
  let k = from;
  for (; k < tokens.length; k++) {
    if (counter) counter.steps++;
    const t = tokens[k]!;
    if (t.kind === 'punct') {
      if (t.text === '(') {
        if (match[k]! < 0) return tokens.length;
        k = match[k]!;
      } else if (t.text === ')' || t.text === ',' || t.text === ';') break;
    } else if (t.kind === 'ident' && ITEM_END.has(t.text)) break;
  }
  return k;
}

/** The identifiers of a column list whose `(` is token `open`, and the index after its `)`; or null. */
export function columnList(
  tokens: readonly ClauseToken[],
  open: number,
): { columns: string[]; next: number } | null {
  if (tokens[open]?.text !== '(') return null;
  const columns: string[] = [];
  let q = open + 1;
  for (;;) {
    const c = tokens[q];
    if (c?.kind !== 'ident') return null;
    columns.push(c.name ?? c.text);
    const sep = tokens[q + 1]?.text;
    if (sep === ')') return { columns, next: q + 2 };
    if (sep !== ',') return null;
    q += 2;
  }
}

/** Binds a comma-separated list of values from `from` by position; returns where it stopped. */
export function bindList(
  tokens: readonly ClauseToken[],
  match: Int32Array,
  from: number,
  columnOf: PositionColumn,
  bindFrom: BindFrom,
): number {
  let r = from;
  for (let index = 0; ; index++) {
    const column = columnOf(index, r);
    r = column !== null ? bindFrom(r, column) : skipValue(tokens, match, r);
    if (tokens[r]?.text !== ',') return r;
    r++;
  }
}

/** Rows `(…), (…)` (or MySQL's `ROW(…), ROW(…)`) from token `from`, bound by position. */
export function bindRows(
  tokens: readonly ClauseToken[],
  match: Int32Array,
  from: number,
  columnOf: PositionColumn,
  bindFrom: BindFrom,
): void {
  let r = from;
  for (;;) {
    if (tokens[r]?.text === 'row') r++;
    if (tokens[r]?.text !== '(') return;
    r = bindList(tokens, match, r + 1, columnOf, bindFrom);
    if (tokens[r]?.text === ')') r++;
    if (tokens[r]?.text !== ',') return;
    r++;
  }
}

/**
 * A VALUES list given column names, read at token `k`: `(VALUES …) [AS] alias(cols)` at its
 * `values`, or `alias(cols) AS [NOT] [MATERIALIZED] (VALUES …)` (a CTE) at its alias; `rows` is
 * the token its first row starts at.
 */
export function namedValuesAt(
  tokens: readonly ClauseToken[],
  match: Int32Array,
  k: number,
): { alias: string; columns: string[]; rows: number } | null {
  const t = tokens[k]!;
  if (t.kind !== 'ident') return null;
  if (t.text === 'values' && tokens[k - 1]?.text === '(') {
    const close = match[k - 1]!;
    if (close < 0) return null;
    let a = close + 1;
    if (tokens[a]?.text === 'as') a++;
    const alias = tokens[a];
    if (alias?.kind !== 'ident') return null;
    const list = columnList(tokens, a + 1);
    return list === null ? null : { alias: alias.text, columns: list.columns, rows: k + 1 };
  }
  if (tokens[k + 1]?.text !== '(' || tokens[k - 1]?.text === 'into') return null;
  const list = columnList(tokens, k + 1);
  if (!list || tokens[list.next]?.text !== 'as') return null;
  let v = list.next + 1;
  if (tokens[v]?.text === 'not') v++;
  if (tokens[v]?.text === 'materialized') v++;
  if (tokens[v]?.text !== '(' || tokens[v + 1]?.text !== 'values') return null;
  return { alias: t.text, columns: list.columns, rows: v + 2 };
}
