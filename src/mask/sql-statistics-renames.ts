// A statement that reads column statistics or a catalog's defaults keeps only the cells whose
// column names describe (sql-statistics.ts): `attname`, `column_name`, `Field`. The name is the one
// the server gives the result column, and the statement chooses it: `SELECT most_common_vals::text
// AS attname FROM pg_stats`, `SELECT column_default AS column_name FROM information_schema.columns`,
// a set operation whose first branch names the column (`SELECT attname FROM pg_stats UNION ALL
// SELECT most_common_vals::text FROM pg_stats`), a column list that renames (`WITH x(attname) AS
// (…)`, `(…) x(attname)`) put the values under a kept name, and they were recorded in clear until
// 7 December. Such a statement has every cell withheld: a describing name is trusted only where
// it is a column's own (`attname`, `s.attname`, `a.attname AS attname`, `attname::text`).
import { selectLists } from './sql-derived-columns.js';
import { matchingParens } from './sql-parens.js';
import type { ListItem } from './sql-renamed-columns.js';
import { SET_OPERATORS } from './sql-renamed-columns.js';
import { describesStatistics, namesColumnValues, readsStatistics } from './sql-statistics.js';
import { readingsDiffer, type SqlReading, type SqlToken, tokenizeSql } from './sql-tokens.js';
import { readsWholeRow, relationNames } from './sql-whole-rows.js';

/** Words a call (not a relation's alias) may follow: `WHERE lower(attname) = …`. */
const NOT_ALIAS = new Set([
  'select',
  'distinct',
  'all',
  'where',
  'and',
  'or',
  'not',
  'on',
  'by',
  'when',
  'then',
  'else',
  'case',
  'having',
  'in',
  'is',
  'like',
  'between',
  'exists',
  'any',
  'some',
  'values',
  'set',
  'return',
  'returns',
]);

/**
 * Whether `statement` reads column statistics or a catalog's defaults and may give a value a name
 * that describes (see above): its results are then withheld whole.
 */
export function renamesColumnValues(statement: string, readings: readonly SqlReading[]): boolean {
  if (!readsStatistics(statement, readings)) return false;
  for (const reading of readings.length > 1 && !readingsDiffer(statement) ? readings.slice(0, 1) : readings) {
    const tokens = tokenizeSql(statement, reading);
    const match = matchingParens(tokens);
    for (let k = 0; k < tokens.length; k++) {
      const t = tokens[k]!;
      if (t.kind === 'ident' && SET_OPERATORS.has(t.text)) return true;
      if (t.kind === 'punct' && t.text === '(' && renamingList(tokens, match, k)) return true;
    }
    for (const list of selectLists(statement, tokens, match))
      for (const item of list.items)
        if (!item.star && namesValueAsDescribing(statement, tokens, match, item)) return true;
  }
  return false;
}

/** Whether the `(…)` at `open` is a list of names that renames a relation's columns. */
function renamingList(tokens: readonly SqlToken[], match: Int32Array, open: number): boolean {
  const close = match[open]!;
  if (close <= open + 1) return false;
  for (let q = open + 1; q < close; q++) {
    const expectName = (q - open) % 2 === 1;
    if (expectName ? tokens[q]!.kind !== 'ident' : tokens[q]!.text !== ',') return false;
  }
  const name = tokens[open - 1];
  if (name?.kind !== 'ident') return false;
  // A common table's (`WITH x(a) AS (…)`), or a relation's alias (`(…) x(a)`, `FROM t AS x(a)`,
  // `FROM t x(a)`); a call's arguments are not (`WHERE lower(attname) = …`).
  if (tokens[close + 1]?.text === 'as') return true;
  const before = tokens[open - 2];
  if (before === undefined) return false;
  if (before.text === ')' || before.text === 'as') return true;
  return before.kind === 'ident' && !NOT_ALIAS.has(before.text) && !NOT_ALIAS.has(name.text);
}

/**
 * Whether a select-list item may put a value under a describing name: an alias that describes over
 * anything but the column of that name, or an expression the server names after a describing field
 * or call (`(r).attname`, `format_type(…)`), when what it reads may hold values (`CASE WHEN
 * a.attstattarget = -1 …` and psql's `(SELECT c.collname …) AS attcollation` do not).
 */
function namesValueAsDescribing(
  sql: string,
  tokens: readonly SqlToken[],
  match: Int32Array,
  item: ListItem,
): boolean {
  let to = item.to;
  const last = tokens[to - 1]!;
  const before = tokens[to - 2];
  // `expr AS name`, `expr name`: the alias names the result.
  const aliased =
    last.kind === 'ident' &&
    before !== undefined &&
    to - item.from >= 2 &&
    (before.text === 'as' || before.kind === 'ident' || before.text === ')' || before.kind === 'string');
  if (aliased) {
    const name = (last.name ?? last.text).toLowerCase();
    if (!describesStatistics(name)) return false;
    to = before.text === 'as' ? to - 2 : to - 1;
    return plainColumn(tokens, item.from, to) !== name && readsValues(sql, tokens, match, item.from, to);
  }
  if (plainColumn(tokens, item.from, to) !== null) return false;
  const first = tokens[item.from]!;
  const call =
    first.kind === 'ident' && tokens[item.from + 1]?.text === '(' && describesStatistics(first.text);
  const field = last.kind === 'ident' && before?.text === '.' && describesStatistics(last.name ?? last.text);
  return (call || field) && readsValues(sql, tokens, match, item.from, to);
}

/** Columns of the relations of sql-statistics.ts that hold a column's values, or its default. */
const VALUE_COLUMNS = new Set([
  'most_common_vals',
  'most_common_elems',
  'histogram_bounds',
  'most_common_val_nulls',
  'stxdmcv',
  'stxdexpr',
  'min_value',
  'max_value',
  'histogram',
  'column_default',
  'generation_expression',
  'adbin',
  'adsrc',
  'attmissingval',
  'attribute_default',
  'default',
]);
const VALUE_SLOT = /^stavalues[1-5]$/;

/**
 * Whether tokens [from, to) may read a column's values: a value column, a relation of them or a
 * catalog (or a string naming one), or a whole row of any relation; the relations a subquery
 * introduces (`FROM pg_collation c`) are names, not reads.
 */
function readsValues(
  sql: string,
  tokens: readonly SqlToken[],
  match: Int32Array,
  from: number,
  to: number,
): boolean {
  const relations = relationNames(tokens, match);
  for (let q = from; q < to; q++) {
    const t = tokens[q]!;
    if (t.kind === 'ident' && (t.text === 'from' || t.text === 'join')) {
      q = introduced(tokens, q + 1, to) - 1;
      continue;
    }
    if (namesColumnValues(sql, tokens, q)) return true;
    if (t.kind !== 'ident') continue;
    if (VALUE_COLUMNS.has(t.text) || VALUE_SLOT.test(t.text)) return true;
    if (readsWholeRow(tokens, q, relations)) return true;
  }
  return false;
}

/** Words after a relation that are not its alias. */
const AFTER_RELATION = new Set([
  'where',
  'join',
  'inner',
  'left',
  'right',
  'full',
  'cross',
  'natural',
  'on',
  'using',
  'group',
  'order',
  'limit',
  'offset',
  'having',
  'window',
  'union',
  'intersect',
  'except',
  'for',
]);

/** The token after a FROM list's relations and their aliases (`pg_catalog.pg_type t, pg_collation c`) from `q`. */
function introduced(tokens: readonly SqlToken[], q: number, to: number): number {
  for (;;) {
    if (tokens[q]?.kind !== 'ident') return q;
    while (tokens[q + 1]?.text === '.' && tokens[q + 2]?.kind === 'ident') q += 2;
    q++;
    if (tokens[q]?.text === 'as') q++;
    if (q < to && tokens[q]?.kind === 'ident' && !AFTER_RELATION.has(tokens[q]!.text)) q++;
    if (tokens[q]?.text !== ',') return q;
    q++;
  }
}

/** The column `[qualifier.]name[::type]` from `from` to `to` names, lower case, or null if it is not one. */
function plainColumn(tokens: readonly SqlToken[], from: number, to: number): string | null {
  let end = to;
  if (end - from >= 3 && tokens[end - 2]?.text === '::' && tokens[end - 1]?.kind === 'ident') end -= 2;
  if (end <= from || (end - from) % 2 === 0) return null;
  for (let q = from; q < end; q++) {
    const expectName = (q - from) % 2 === 0;
    if (expectName ? tokens[q]!.kind !== 'ident' : tokens[q]!.text !== '.') return null;
  }
  const name = tokens[end - 1]!;
  return (name.name ?? name.text).toLowerCase();
}
