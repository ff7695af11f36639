// Values bound to columns by position through a row rather than by `column = value`: a VALUES list
// named by its alias's column list (`MERGE … USING (VALUES ('ann', '…')) AS s(name, password)`,
// `FROM (VALUES …) AS t(name, password)`, a CTE `WITH s(name, password) AS (VALUES …)`), a row
// assignment `SET (name, password) = ('ann', '…')`, and a literal named by its alias (`SELECT '…'
// AS api_key`). sql-columns.ts binds comparisons and sql-insert.ts INSERTs; none of these reached
// them, and a password of words was recorded as typed until 6 December. Works on sql-tokens.ts's
// tokens; a shape it does not follow binds nothing (the text rules still apply).
import type { BindFrom, ClauseToken } from './sql-clauses.js';
import {
  bindList,
  bindRows,
  columnList,
  ITEM_END,
  namedValuesAt,
  type PositionColumn,
  secretPositions,
} from './sql-lists.js';
import { matchingParens } from './sql-parens.js';
import { bindSelectBranches } from './sql-subquery-lists.js';

/** Words a row of columns `(a, b)` follows when it is assigned or compared (`ROW` too). */
const ROW_BEFORE = new Set(['set', 'where', 'and', 'or', 'not', 'on', 'when', 'having', 'row']);
/** Operators that compare or assign two rows element by element. */
const ROW_OPERATORS = new Set(['=', '<>', '!=', '<=>']);

/** `IN (SELECT …)` or `IN (VALUES …)` after a row of columns: each branch's list, or each row. */
function bindSubqueryRows(
  tokens: readonly ClauseToken[],
  match: Int32Array,
  open: number,
  columnOf: PositionColumn,
  bindFrom: BindFrom,
): void {
  if (tokens[open + 1]?.text === 'values') bindRows(tokens, match, open + 2, columnOf, bindFrom);
  else bindSelectBranches(tokens, match, open + 1, match[open]!, columnOf, bindFrom);
}

export function rowSecrets(
  tokens: readonly ClauseToken[],
  secret: (name: string) => boolean,
  bindFrom: BindFrom,
  match: Int32Array = matchingParens(tokens),
): void {
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    const named = namedValuesAt(tokens, match, k);
    if (named !== null) {
      // (VALUES (…), (…)) [AS] alias(cols), WITH alias(cols) AS (VALUES …)
      if (named.columns.some(secret))
        bindRows(tokens, match, named.rows, secretPositions(named.columns, secret), bindFrom);
      continue;
    }
    const before = tokens[k - 1];
    if (
      t.text === '(' &&
      before !== undefined &&
      (before.text === ',' || (before.kind === 'ident' && ROW_BEFORE.has(before.text)))
    ) {
      // UPDATE … SET (cols) = (v, v) | ROW (v, v) | (SELECT v, v …); since 6 December also a row
      // compared (`WHERE (name, password) = ('ann', '…')`, `<>`, `IN (('ann', '…'), …)`) and a
      // row assigned a subquery's select list, each branch of it: all recorded as typed before.
      const list = columnList(tokens, k);
      const op = list === null ? undefined : tokens[list.next];
      if (list === null || !list.columns.some(secret)) continue;
      const columnOf = secretPositions(list.columns, secret);
      let v = list.next + 1;
      if (op?.text === 'not' && tokens[v]?.text === 'in') v++;
      if (op?.text === 'in' || tokens[v - 1]?.text === 'in') {
        // IN ((v, v), (v, v)) or IN (SELECT v, v …)
        if (tokens[v]?.text !== '(' || match[v]! < 0) continue;
        if (tokens[v + 1]?.text === 'select' || tokens[v + 1]?.text === 'values')
          bindSubqueryRows(tokens, match, v, columnOf, bindFrom);
        else bindRows(tokens, match, v + 1, columnOf, bindFrom);
        continue;
      }
      if (op?.kind !== 'op' || !ROW_OPERATORS.has(op.text)) continue;
      if (tokens[v]?.text === 'row') v++;
      if (tokens[v]?.text !== '(' || match[v]! < 0) continue;
      if (tokens[v + 1]?.text === 'select' || tokens[v + 1]?.text === '(')
        bindSelectBranches(tokens, match, v + 1, match[v]!, columnOf, bindFrom);
      else bindList(tokens, match, v + 1, columnOf, bindFrom);
      continue;
    }
    if ((t.kind === 'string' || t.kind === 'param') && tokens[k + 1]?.text === 'as') {
      // SELECT '…' AS api_key: a literal named by its alias (a MERGE source, a CTE).
      const alias = tokens[k + 2];
      const after = tokens[k + 3]?.text;
      if (
        alias?.kind === 'ident' &&
        secret(alias.name ?? alias.text) &&
        (after === undefined || after === ',' || after === ')' || after === ';' || ITEM_END.has(after))
      )
        bindFrom(k, alias.name ?? alias.text);
    }
  }
}
