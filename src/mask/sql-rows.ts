// Values bound to columns by position through a row rather than by `column = value`: a VALUES list
// named by its alias's column list (`MERGE … USING (VALUES ('ann', '…')) AS s(name, password)`,
// `FROM (VALUES …) AS t(name, password)`, a CTE `WITH s(name, password) AS (VALUES …)`), an
// `INSERT INTO t (name, password) SELECT 'ann', '…'`, a row assignment `SET (name, password) =
// ('ann', '…')`, and a literal named by its alias (`SELECT '…' AS api_key`). sql-columns.ts binds
// `INSERT … VALUES` and comparisons; none of these reached it, and a password of words was
// recorded as typed until 6 December. Works on sql-columns.ts's tokens; a shape it does not follow
// binds nothing (the text rules still apply).
import type { BindFrom, ClauseToken } from './sql-clauses.js';
import { matchingParens } from './sql-parens.js';

/** Words that end a select-list item or a row element as `bindFrom` stops at them. */
const ITEM_END = new Set(['from', 'where', 'union', 'returning', 'on', 'group', 'order', 'limit', 'into']);

/**
 * Skips one value from `from`, over whole parenthesised groups; returns where it stopped (a `,`,
 * `)`, `;` or end word at its own depth, or the end when a group is never closed).
 */
function skipValue(tokens: readonly ClauseToken[], match: Int32Array, from: number): number {
  let k = from;
  for (; k < tokens.length; k++) {
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
function columnList(
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

/** Binds a comma-separated list of values from `from` to `columns` by position; returns where it stopped. */
function bindList(
  tokens: readonly ClauseToken[],
  match: Int32Array,
  from: number,
  columns: readonly string[],
  secret: (name: string) => boolean,
  bindFrom: BindFrom,
): number {
  let r = from;
  for (let index = 0; ; index++) {
    const column = columns[index];
    r = column !== undefined && secret(column) ? bindFrom(r, column) : skipValue(tokens, match, r);
    if (tokens[r]?.text !== ',') return r;
    r++;
  }
}

/** Rows `(…), (…)` from token `from` (the first row's `(`), bound to `columns`. */
function bindRows(
  tokens: readonly ClauseToken[],
  match: Int32Array,
  from: number,
  columns: readonly string[],
  secret: (name: string) => boolean,
  bindFrom: BindFrom,
): void {
  let r = from;
  while (tokens[r]?.text === '(') {
    r = bindList(tokens, match, r + 1, columns, secret, bindFrom);
    if (tokens[r]?.text === ')') r++;
    if (tokens[r]?.text !== ',') return;
    r++;
  }
}

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
      if (list?.columns.some(secret)) bindRows(tokens, match, k + 1, list.columns, secret, bindFrom);
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
      if (list.columns.some(secret)) bindRows(tokens, match, v + 2, list.columns, secret, bindFrom);
      continue;
    }
    if (t.kind === 'ident' && t.text === 'into') {
      // INSERT INTO t (cols) SELECT v, v … (also SELECT DISTINCT).
      let p = k + 1;
      while (tokens[p]?.kind === 'ident' || tokens[p]?.text === '.') p++;
      const list = columnList(tokens, p);
      if (!list || tokens[list.next]?.text !== 'select' || !list.columns.some(secret)) continue;
      let s = list.next + 1;
      if (tokens[s]?.text === 'distinct' || tokens[s]?.text === 'all') s++;
      bindList(tokens, match, s, list.columns, secret, bindFrom);
      continue;
    }
    if (t.text === '(' && (tokens[k - 1]?.text === 'set' || tokens[k - 1]?.text === ',')) {
      // UPDATE … SET (cols) = (v, v) | ROW (v, v)
      const list = columnList(tokens, k);
      if (!list || tokens[list.next]?.text !== '=') continue;
      let v = list.next + 1;
      if (tokens[v]?.text === 'row') v++;
      if (tokens[v]?.text !== '(' || tokens[v + 1]?.text === 'select') continue;
      if (list.columns.some(secret)) bindList(tokens, match, v + 1, list.columns, secret, bindFrom);
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
