// The values a subquery gives to `column IN (…)`: `password IN (SELECT '…')`, each SELECT of a
// UNION, and `IN (VALUES ('…'), ('…'))`. The column is compared with what the subquery's select
// list yields, so that list is bound to the column; its WHERE and the rest are other columns'
// business (`id IN (SELECT id FROM t WHERE note = 'x')` keeps 'x', and so does `password IN
// (SELECT password FROM old WHERE name = 'ann')`). Until 6 December an IN list that began with
// SELECT bound nothing and a password of words there was recorded as typed. `password = (SELECT
// '…')` is a value the binder steps over whole (sql-value-binder.ts), so it was bound already.
import type { BindFrom, ClauseToken } from './sql-clauses.js';
import { bindList, bindRows, type PositionColumn } from './sql-lists.js';

/** Words between set operations' SELECTs: `UNION [ALL | DISTINCT] SELECT …`. */
const SET_OPERATIONS = new Set(['union', 'intersect', 'except', 'minus']);

/**
 * Binds to `column` the select lists of the subquery whose `(` is token `open`, or its VALUES rows;
 * returns false when the group is not a subquery (a list of values, bound by the caller). The group
 * is read at its own level only, nested groups stepped over, so each token is looked at once. Since
 * 6 December also parenthesised branches (`IN ((SELECT 'x') UNION (SELECT '…'))`, whose later
 * branches were recorded as typed) and a subquery that begins with WITH (`IN (WITH s AS (…) SELECT
 * '…')`).
 */
export function bindSubqueryList(
  tokens: readonly ClauseToken[],
  match: Int32Array,
  open: number,
  column: string,
  bindFrom: BindFrom,
): boolean {
  const first = tokens[open + 1]?.text;
  if (first === 'values') {
    bindRows(tokens, match, open + 2, () => column, bindFrom);
    return true;
  }
  const close = match[open]! >= 0 ? match[open]! : tokens.length;
  let q = open + 1;
  if (first === 'with') {
    const body = afterWith(tokens, match, q);
    if (body === null) return false;
    q = body;
  }
  // `((SELECT …) UNION …)`: a query only if the innermost group begins with SELECT.
  let inner = q;
  while (tokens[inner]?.text === '(') inner++;
  if (tokens[inner]?.text !== 'select') return false;
  // `IN ((SELECT 'a'), 'b')` is a list of values whose first is a subquery: the caller binds each.
  return bindSelectBranches(tokens, match, q, close, () => column, bindFrom);
}

/**
 * Binds by position (`columnOf`) the select list of every branch of the query from token `from` (a
 * SELECT, or a `(` around one) up to token `end`: each SELECT after `UNION [ALL | DISTINCT]`,
 * `INTERSECT`, `EXCEPT` or `MINUS`, parenthesised or not (`(SELECT 'x') UNION ((SELECT '…'))`).
 * Groups that are not branches are stepped over whole, and the groups entered are held in a
 * stack, not by recursion, so each token is looked at once however deep. Stops at a `;` outside
 * the branches; returns false when it meets a `,` there (the `(` at `from` was one value of a list).
 */
export function bindSelectBranches(
  tokens: readonly ClauseToken[],
  match: Int32Array,
  from: number,
  end: number,
  columnOf: PositionColumn,
  bindFrom: BindFrom,
): boolean {
  const outer: number[] = [];
  let close = end;
  let q = from;
  // A `,` outside every branch separates values only before a SELECT at that level (`… FROM a, b`).
  let listLevel = true;
  for (;;) {
    // At a branch: into its parentheses, then its select list.
    while (q < close && tokens[q]?.text === '(' && match[q]! >= 0) {
      outer.push(close);
      close = match[q]!;
      q++;
    }
    if (tokens[q]?.text === 'select') {
      if (outer.length === 0) listLevel = false;
      let s = q + 1;
      if (tokens[s]?.text === 'distinct' || tokens[s]?.text === 'all') s++;
      q = bindList(tokens, match, s, columnOf, bindFrom);
    }
    // On to the next branch: after a set operator, at this level or an enclosing one.
    let next = -1;
    while (next < 0) {
      if (q >= close) {
        const up = outer.pop();
        if (up === undefined) return true;
        q = close + 1;
        close = up;
        continue;
      }
      const t = tokens[q]!;
      if (t.kind === 'punct' && t.text === '(') {
        if (match[q]! < 0) return true;
        q = match[q]! + 1;
      } else if (outer.length === 0 && t.kind === 'punct' && t.text === ';') {
        return true;
      } else if (outer.length === 0 && listLevel && t.kind === 'punct' && t.text === ',') {
        return false;
      } else if (t.kind === 'ident' && SET_OPERATIONS.has(t.text)) {
        q++;
        if (tokens[q]?.text === 'all' || tokens[q]?.text === 'distinct') q++;
        if (tokens[q]?.text === 'select' || tokens[q]?.text === '(') next = q;
      } else q++;
    }
    q = next;
  }
}

/**
 * The token after a WITH clause that starts at token `at` (`WITH [RECURSIVE] s [(cols)] AS [NOT]
 * [MATERIALIZED] (…), …`), where its query begins; null where the tokens take another shape.
 */
export function afterWith(tokens: readonly ClauseToken[], match: Int32Array, at: number): number | null {
  let q = at + 1;
  if (tokens[q]?.text === 'recursive') q++;
  for (;;) {
    if (tokens[q]?.kind !== 'ident') return null;
    q++;
    if (tokens[q]?.text === '(') {
      if (match[q]! < 0) return null;
      q = match[q]! + 1;
    }
    if (tokens[q]?.text !== 'as') return null;
    q++;
    if (tokens[q]?.text === 'not') q++;
    if (tokens[q]?.text === 'materialized') q++;
    if (tokens[q]?.text !== '(' || match[q]! < 0) return null;
    q = match[q]! + 1;
    if (tokens[q]?.text !== ',') return q;
    q++;
  }
}
