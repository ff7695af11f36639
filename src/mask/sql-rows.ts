// Values bound to columns by position through a row rather than by `column = value`: a VALUES list
// named by its alias's column list (`MERGE … USING (VALUES ('ann', '…')) AS s(name, password)`,
// `FROM (VALUES …) AS t(name, password)`, a CTE `WITH s(name, password) AS (VALUES …)`), a row
// assignment `SET (name, password) = ('ann', '…')`, and a literal named by its alias (`SELECT '…'
// AS api_key`). sql-columns.ts binds comparisons and sql-insert.ts INSERTs; none of these reached
// them, and a password of words was recorded as typed until 6 December. Works on sql-tokens.ts's
// tokens; a shape it does not follow binds nothing (the text rules still apply).
import type { BindFrom, ClauseToken } from './sql-clauses.js';
import { bindList, bindRows, columnList, ITEM_END, namedValuesAt, secretPositions } from './sql-lists.js';
import { matchingParens } from './sql-parens.js';

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
    if (t.text === '(' && (tokens[k - 1]?.text === 'set' || tokens[k - 1]?.text === ',')) {
      // UPDATE … SET (cols) = (v, v) | ROW (v, v)
      const list = columnList(tokens, k);
      if (!list || tokens[list.next]?.text !== '=') continue;
      let v = list.next + 1;
      if (tokens[v]?.text === 'row') v++;
      if (tokens[v]?.text !== '(' || tokens[v + 1]?.text === 'select') continue;
      if (list.columns.some(secret))
        bindList(tokens, match, v + 1, secretPositions(list.columns, secret), bindFrom);
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
