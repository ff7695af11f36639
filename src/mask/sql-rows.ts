// Values bound to columns by position through a row rather than by `column = value`: a VALUES list
// named by its alias's column list (`MERGE … USING (VALUES ('ann', '…')) AS s(name, password)`,
// `FROM (VALUES …) AS t(name, password)`, a CTE `WITH s(name, password) AS (VALUES …)`), a row
// assignment `SET (name, password) = ('ann', '…')`, and a literal named by its alias (`SELECT '…'
// AS api_key`). sql-columns.ts binds comparisons and sql-insert.ts INSERTs; none of these reached
// them, and a password of words was recorded as typed until 6 December. Works on sql-tokens.ts's
// tokens; a shape it does not follow binds nothing (the text rules still apply).
import type { BindFrom, ClauseToken } from './sql-clauses.js';
import { bindList, bindRows, columnList, ITEM_END, secretPositions } from './sql-lists.js';
import { matchingParens } from './sql-parens.js';

export function rowSecrets(
  tokens: readonly ClauseToken[],
  secret: (name: string) => boolean,
  bindFrom: BindFrom,
  match: Int32Array = matchingParens(tokens),
): void {
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind === 'ident' && t.text === 'values' && tokens[k - 1]?.text === '(') {
      // (VALUES (…), (…)) [AS] alias(cols)
      const close = match[k - 1]!;
      if (close < 0) continue;
      let a = close + 1;
      if (tokens[a]?.text === 'as') a++;
      if (tokens[a]?.kind !== 'ident') continue;
      const list = columnList(tokens, a + 1);
      if (list?.columns.some(secret))
        bindRows(tokens, match, k + 1, secretPositions(list.columns, secret), bindFrom);
      continue;
    }
    if (t.kind === 'ident' && tokens[k + 1]?.text === '(' && tokens[k - 1]?.text !== 'into') {
      // WITH alias(cols) AS [NOT] [MATERIALIZED] (VALUES …)
      const list = columnList(tokens, k + 1);
      if (!list || tokens[list.next]?.text !== 'as') continue;
      let v = list.next + 1;
      if (tokens[v]?.text === 'not') v++;
      if (tokens[v]?.text === 'materialized') v++;
      if (tokens[v]?.text !== '(' || tokens[v + 1]?.text !== 'values') continue;
      if (list.columns.some(secret))
        bindRows(tokens, match, v + 2, secretPositions(list.columns, secret), bindFrom);
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
