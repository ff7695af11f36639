// The values a subquery gives to `column IN (…)`: `password IN (SELECT '…')`, each SELECT of a
// UNION, and `IN (VALUES ('…'), ('…'))`. The column is compared with what the subquery's select
// list yields, so that list is bound to the column; its WHERE and the rest are other columns'
// business (`id IN (SELECT id FROM t WHERE note = 'x')` keeps 'x', and so does `password IN
// (SELECT password FROM old WHERE name = 'ann')`). Until 6 December an IN list that began with
// SELECT bound nothing and a password of words there was recorded as typed. `password = (SELECT
// '…')` is a value the binder steps over whole (sql-value-binder.ts), so it was bound already.
import type { BindFrom, ClauseToken } from './sql-clauses.js';
import { bindList, bindRows } from './sql-lists.js';

/** Words between set operations' SELECTs: `UNION [ALL | DISTINCT] SELECT …`. */
const SET_OPERATIONS = new Set(['union', 'intersect', 'except', 'minus']);

/**
 * Binds to `column` the select lists of the subquery whose `(` is token `open`, or its VALUES rows;
 * returns false when the group is not a subquery (a list of values, bound by the caller). The group
 * is read at its own level only, nested groups stepped over, so each token is looked at once.
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
  if (first !== 'select') return false;
  const close = match[open]! >= 0 ? match[open]! : tokens.length;
  let q = open + 1;
  while (q < close) {
    // `q` is at a SELECT of this level.
    let s = q + 1;
    if (tokens[s]?.text === 'distinct' || tokens[s]?.text === 'all') s++;
    q = bindList(tokens, match, s, () => column, bindFrom);
    // On to the next SELECT of a set operation, at this level.
    for (; q < close; q++) {
      const t = tokens[q]!;
      if (t.kind === 'punct' && t.text === '(') {
        if (match[q]! < 0) return true;
        q = match[q]!;
      } else if (t.kind === 'ident' && SET_OPERATIONS.has(t.text)) {
        let n = q + 1;
        if (tokens[n]?.text === 'all' || tokens[n]?.text === 'distinct') n++;
        if (tokens[n]?.text === 'select') {
          q = n;
          break;
        }
      }
    }
  }
  return true;
}
