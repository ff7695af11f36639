// MariaDB names a VALUES derived table's columns after its first row's values: `(VALUES ('ann',
// '…')) t` has columns `ann` and `…`, so a statement copies the password by naming it (`SET
// u.password = t.\`…\``, `INSERT … SELECT ann, \`…\` FROM (VALUES ('ann', '…')) t`). The value
// and the name that spells it were both recorded as typed until 6 December: neither is a value
// bound to the column, and PostgreSQL's and MySQL's default names (`column1`, `column_0`) are read
// by sql-derived-tables.ts. Here a name in a value bound to a secret column (a short reference) that
// spells a first-row value of a VALUES without a column list binds that position of every row, and
// the name is masked where it is written as well.
import type { SqlValueSpan } from './sql-columns.js';
import { bindRows, columnList, type PositionColumn, skipValue } from './sql-lists.js';
import type { SqlToken } from './sql-tokens.js';
import type { BoundRange } from './sql-value-binder.js';

/** A value read for names only up to this many tokens: `t.\`…\``, `UPPER(t.\`…\`)`. */
const MAX_REFERENCE_TOKENS = 9;

/**
 * Binds, through `bindFrom`, the VALUES positions named by a reference in a bound range, and adds
 * to `literals` the spans of those references' names. `ranges` are the binder's, before they are
 * turned into literals.
 */
export function bindFirstRowNames(
  sql: string,
  tokens: readonly SqlToken[],
  match: Int32Array,
  ranges: readonly BoundRange[],
  bindFrom: (from: number, column: string) => number,
  literals: SqlValueSpan[],
): void {
  // Names in short bound values, by their text (lower case): the column each was bound to, and where.
  const named = new Map<string, { column: string; at: number[] }>();
  for (const r of ranges) {
    if (r.to - r.from > MAX_REFERENCE_TOKENS) continue;
    for (let q = r.from; q < r.to; q++) {
      const t = tokens[q]!;
      if (t.kind !== 'ident' || tokens[q + 1]?.text === '(' || tokens[q + 1]?.text === '.') continue;
      const entry = named.get(t.text) ?? { column: r.column, at: [] };
      entry.at.push(q);
      named.set(t.text, entry);
    }
  }
  if (named.size === 0) return;
  const spelled = new Set<string>();
  for (let k = 1; k < tokens.length; k++) {
    if (tokens[k]!.text !== 'values' || tokens[k - 1]?.text !== '(' || tokens[k + 1]?.text !== '(') continue;
    const close = match[k - 1]!;
    if (close < 0 || hasColumnList(tokens, close)) continue;
    const firstRow = firstRowNames(sql, tokens, match, k + 1);
    const columns = firstRow.map((name) => (name === null ? null : (named.get(name)?.column ?? null)));
    if (!columns.some((c) => c !== null)) continue;
    for (const name of firstRow) if (name !== null && named.has(name)) spelled.add(name);
    const columnOf: PositionColumn = (index) => columns[index] ?? null;
    bindRows(tokens, match, k + 1, columnOf, bindFrom);
  }
  for (const name of spelled) {
    const entry = named.get(name)!;
    for (const q of entry.at) {
      const t = tokens[q]!;
      const quoted = sql[t.start] === '`' || sql[t.start] === '"';
      literals.push({
        start: quoted ? t.start + 1 : t.start,
        end: quoted ? t.end - 1 : t.end,
        column: entry.column,
      });
    }
  }
}

/** Whether `(VALUES …) [AS] alias (cols)` names its columns after the `)` at `close`. */
function hasColumnList(tokens: readonly SqlToken[], close: number): boolean {
  let a = close + 1;
  if (tokens[a]?.text === 'as') a++;
  return tokens[a]?.kind === 'ident' && columnList(tokens, a + 1) !== null;
}

/** The names MariaDB gives the columns of the rows from `open` (the first row's `(`): a string's or number's text, lower case. */
function firstRowNames(
  sql: string,
  tokens: readonly SqlToken[],
  match: Int32Array,
  open: number,
): (string | null)[] {
  const close = match[open]!;
  if (close < 0) return [];
  const names: (string | null)[] = [];
  let v = open + 1;
  for (;;) {
    const end = Math.min(skipValue(tokens, match, v), close);
    const t = tokens[v]!;
    names.push(
      end === v + 1 && (t.kind === 'string' || t.kind === 'number')
        ? sql.slice(t.start, t.end).toLowerCase()
        : null,
    );
    if (end >= close || tokens[end]?.text !== ',') return names;
    v = end + 1;
  }
}
