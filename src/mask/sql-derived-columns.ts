// Result columns whose values come from a secret-named column under a name that says nothing: an
// alias (`SELECT password AS p`, `RETURNING api_token AS t`), an expression (`concat(password)`,
// `upper(password)`, `string_agg(password, ',')`, `array_agg(password)`), or a name given to one of
// those earlier in the statement (`WITH s AS (SELECT password AS p …) SELECT p FROM s`). A result
// cell is masked by its column's name (structured.ts), and the server names these `p`, `concat`,
// `string_agg`: a password of words was recorded in clear until 6 December. The statement is read
// here, once per execution, for the positions of such columns in its top-level select list or
// RETURNING list; their cells are withheld (value-echoes.ts). Errs on masking: any item that
// mentions a secret-named column anywhere in it is taken for one (`length(password)` too), and so is
// one that reads a secret-named JSON key (`data->>'password'`, `JSON_VALUE(doc, '$.api_token')`).
import { secretFunctions } from './sql-from-functions.js';
import { lastStep } from './sql-json-calls.js';
import { nestedStarUnion } from './sql-nested-star-unions.js';
import { matchingParens } from './sql-parens.js';
import { type ListItem, type SelectList, secretRenamer } from './sql-renamed-columns.js';
import { resultValues, tableBranch } from './sql-result-values.js';
import { starUnionOfOtherRelations } from './sql-star-unions.js';
import { type SqlReading, type SqlToken, tokenizeSql } from './sql-tokens.js';
import { readsWholeRow, relationNames } from './sql-whole-rows.js';

/** Result positions counted from the first column, and (after a `*`, whose width is unknown) from the last. */
export interface Positions {
  readonly fromStart: ReadonlySet<number>;
  readonly fromEnd: ReadonlySet<number>;
}

/**
 * The positions of cells derived from a secret column; of whole rows (sql-whole-rows.ts), withheld
 * where a cell may hold one (value-echoes.ts); or every position (`all`), for a statement too long
 * to read. `names`: result columns (lower-case) named for such a value somewhere in the statement,
 * for a `*` that may expand to them (`SELECT * FROM (SELECT password AS x …) s`).
 */
export interface DerivedPositions extends Positions {
  readonly rows?: Positions;
  readonly all?: true;
  readonly names?: ReadonlySet<string>;
}

/** Every position: what a statement that cannot be read withholds. */
export const ALL_POSITIONS: DerivedPositions = { fromStart: new Set(), fromEnd: new Set(), all: true };

/** Both positions' cells: a cursor declared twice under one name (sql-cursors.ts). */
export function unitePositions(a: DerivedPositions | undefined, b: DerivedPositions): DerivedPositions {
  const unite = (x: Positions | undefined, y: Positions | undefined): Positions => ({
    fromStart: new Set([...(x?.fromStart ?? []), ...(y?.fromStart ?? [])]),
    fromEnd: new Set([...(x?.fromEnd ?? []), ...(y?.fromEnd ?? [])]),
  });
  return {
    ...unite(a, b),
    ...(a?.rows || b.rows ? { rows: unite(a?.rows, b.rows) } : {}),
    ...(a?.all || b.all ? { all: true as const } : {}),
    ...(a?.names || b.names ? { names: new Set([...(a?.names ?? []), ...(b.names ?? [])]) } : {}),
  };
}

/** Words that end a select list or RETURNING list at its own depth. */
const LIST_END = new Set([
  'from',
  'into',
  'where',
  'group',
  'having',
  'order',
  'limit',
  'union',
  'intersect',
  'except',
  'window',
  'offset',
  'fetch',
  'for',
  'on',
]);

/** Words after SELECT that are not the first item. */
const SELECT_MODIFIERS = new Set([
  'distinct',
  'all',
  'sql_calc_found_rows',
  'straight_join',
  'high_priority',
]);

/**
 * The longest statement read whole. A longer one that may return rows of a secret column has all
 * its result cells withheld: padding a `SELECT password AS p` past the limit with a comment recorded
 * the password in clear until 6 December.
 */
const MAX_TEXT = 200_000;

/** How many renames deep a derived name is followed (`password AS a`, `a AS b`, …). */
const RENAME_PASSES = 4;

/** A string longer than this is a value, not a JSON key or path. */
const MAX_KEY = 128;

/**
 * The positions of the result columns of `sql` derived from a secret-named column under another
 * name, or null when there are none. `reading`: how its strings are read (sql-tokens.ts); a MySQL
 * statement read the PostgreSQL way hid `password AS p` in what looked like a string
 * (`SELECT '\'', password AS p FROM users -- '`, `#'` then a new line), and value-echoes.ts reads
 * such a statement both ways.
 */
export function derivedSecretPositions(
  sql: string,
  secret: (name: string) => boolean,
  known: Iterable<string> = [],
  reading: SqlReading = 'standard',
): DerivedPositions | null {
  if (sql.length > MAX_TEXT) return mayReadSecrets(sql, secret) ? ALL_POSITIONS : null;
  const tokens = tokenizeSql(sql, reading);
  const match = matchingParens(tokens);
  const lists = selectLists(sql, tokens, match);
  if (lists.length === 0) return null;
  // `SELECT * FROM t1 UNION SELECT * FROM users`: where the passwords land is not in the statement.
  if (starUnionOfOtherRelations(tokens, match, lists)) return ALL_POSITIONS;
  // Names given to derived values anywhere (a CTE's, a subquery's); a name given to a name is
  // followed a few renames deep (each pass reads every item once, so passes are bounded).
  // `known`: names given secret values by earlier statements (sql-variables.ts), lower case.
  const derived = new Set<string>(known);
  const secretToken = (q: number) => {
    const t = tokens[q]!;
    if (t.kind === 'string') {
      // A JSON key or path read out (`data->>'password'`, `JSON_VALUE(doc, '$.api_token')`).
      const key = sql.slice(t.start, t.end);
      return key.length <= MAX_KEY && (secret(key) || secret(lastStep(key) ?? ''));
    }
    if (t.kind !== 'ident') return false;
    const name = t.name ?? t.text;
    return secret(name) || derived.has(name.toLowerCase());
  };
  // A string holding SQL that names a secret (dblink's query): its words, as the server will read them.
  const secretText = (q: number) => {
    const t = tokens[q]!;
    if (t.kind !== 'string' || t.end - t.start > MAX_TEXT) return false;
    for (const word of sql.slice(t.start, t.end).matchAll(/[A-Za-z_][A-Za-z0-9_]*/g))
      if (secret(word[0])) return true;
    return false;
  };
  const mentions = (item: ListItem) => {
    // The alias itself names the result, not a value it reads.
    const to = isAliased(sql, tokens, item) ? item.to - 1 : item.to;
    for (let q = item.from; q < to; q++) if (secretToken(q)) return true;
    return false;
  };
  const secretItem = (item: ListItem) => (item.name !== null && secret(item.name)) || mentions(item);
  const renames = secretRenamer(tokens, match, lists);
  let branches: ReadonlySet<number> = new Set();
  for (let grew = true, pass = 0; grew && pass < RENAME_PASSES; pass++) {
    grew = false;
    for (const list of lists)
      for (const item of list.items)
        if (
          item.name !== null &&
          !derived.has(item.name.toLowerCase()) &&
          !secret(item.name) &&
          mentions(item)
        ) {
          derived.add(item.name.toLowerCase());
          grew = true;
        }
    const renamed = renames(secretItem, secretToken, derived);
    branches = renamed.positions;
    grew ||= renamed.grew;
  }
  // `WITH x AS (SELECT * FROM t1 UNION SELECT * FROM users) SELECT * FROM x`: as above, nested.
  if (nestedStarUnion(tokens, match, lists, secretItem)) return ALL_POSITIONS;
  const relations = relationNames(tokens, match);
  // `SELECT * FROM users u, jsonb_each_text(to_jsonb(u)) j`: the function names its columns itself.
  const functions = secretFunctions(tokens, match, lists, secretToken, secretText, relations);
  if (functions?.all) return derived.size > 0 ? { ...ALL_POSITIONS, names: derived } : ALL_POSITIONS;
  for (const alias of functions?.aliases ?? []) derived.add(alias);
  const readsRow = (item: ListItem) => {
    for (let q = item.from; q < item.to; q++) if (readsWholeRow(tokens, q, relations)) return true;
    return false;
  };
  const some = (p: Positions) => p.fromStart.size + p.fromEnd.size > 0;
  const renamesSecret = (item: ListItem) =>
    !item.star && !(item.name !== null && secret(item.name)) && mentions(item);
  const derivedAt: Positions = { fromStart: new Set(), fromEnd: new Set() };
  const rows: Positions = { fromStart: new Set(), fromEnd: new Set() };
  for (const list of lists) {
    if (list.depth !== 0) continue;
    const starAt = list.items.findIndex((i) => i.star);
    for (const [i, item] of list.items.entries()) {
      if (item.star || (item.name !== null && secret(item.name))) continue;
      const into = mentions(item)
        ? derivedAt
        : readsRow(item)
          ? transformsRow(tokens, item, relations)
            ? derivedAt
            : rows
          : null;
      if (into === null) continue;
      if (starAt < 0 || i < starAt) (into.fromStart as Set<number>).add(i);
      else (into.fromEnd as Set<number>).add(list.items.length - 1 - i);
    }
  }
  // A whole row of a subquery, CTE or view that renames a secret (`row_to_json(s) FROM (SELECT
  // password AS p …) s`, `to_json(s) FROM (SELECT upper(password) …) s`) is JSON whose keys (`p`,
  // `upper`) say nothing: recorded in clear until 6 December, its cells are withheld whatever their shape.
  if (some(rows) && (derived.size > 0 || lists.some((l) => l.depth > 0 && l.items.some(renamesSecret))))
    for (const key of ['fromStart', 'fromEnd'] as const)
      for (const p of rows[key]) (derivedAt[key] as Set<number>).add(p);
  // A VALUES list's values, as the result's columns (sql-result-values.ts).
  for (const value of resultValues(tokens, match))
    for (let q = value.from; q < value.to; q++)
      if (secretToken(q)) {
        (derivedAt.fromStart as Set<number>).add(value.index);
        break;
      }
  // A whole table as a later branch fills every column of the first (sql-result-values.ts).
  const head = lists.find((l) => l.depth === 0);
  if (head !== undefined && !head.items.some((i) => i.star) && tableBranch(tokens))
    for (let p = 0; p < head.items.length; p++) (derivedAt.fromStart as Set<number>).add(p);
  // A set operation's later branch fills its first branch's columns, whatever they are called.
  for (const p of branches) (derivedAt.fromStart as Set<number>).add(p);
  if (!some(derivedAt) && !some(rows) && derived.size === 0) return null;
  return {
    ...derivedAt,
    ...(some(rows) ? { rows } : {}),
    ...(derived.size > 0 ? { names: derived } : {}),
  };
}

/**
 * Calls that keep a whole row's text as PostgreSQL writes it (`(1,ann,"…")`, in an array, or as
 * JSON whose keys are the columns' names), so that the cell's shape tells a row.
 */
const ROW_KEEPING = new Set([
  'row',
  'array',
  'array_agg',
  'string_agg',
  'array_to_string',
  'to_json',
  'to_jsonb',
  'row_to_json',
  'json_agg',
  'jsonb_agg',
  'json_build_array',
  'jsonb_build_array',
  'jsonb_pretty',
  'coalesce',
  'min',
  'max',
]);

/**
 * Whether an item that reads a whole row passes it through a call that may cut its text
 * (`split_part(u::text, ',', 3)`, `substr(u::text, 2)`, `replace(u::text, '(', '')`): the cell
 * then no longer looks like a row, and its shape tells nothing. Until 6 December such a cell held
 * the password in clear; now it is withheld whatever its shape.
 */
function transformsRow(tokens: readonly SqlToken[], item: ListItem, relations: ReadonlySet<string>): boolean {
  let row = false;
  let call = false;
  for (let q = item.from; q < item.to; q++) {
    const t = tokens[q]!;
    if (t.kind === 'ident' && tokens[q + 1]?.text === '(' && !ROW_KEEPING.has(t.text)) call = true;
    // A name after a call's FROM, FOR or IN (`extract(year FROM created)`, `position('a' IN name)`)
    // is a column, though the relations are read over-broadly (sql-whole-rows.ts).
    else if (!CALL_WORDS.has(tokens[q - 1]?.text ?? '') && readsWholeRow(tokens, q, relations)) row = true;
  }
  return row && call;
}

/** Words inside a call that a column follows (`extract(… FROM x)`, `substring(x FOR 2)`). */
const CALL_WORDS = new Set(['from', 'for', 'in', 'placing']);

/** Whether an item's last token is an alias (`expr AS name`, `expr name`), not the expression. */
function isAliased(sql: string, tokens: readonly SqlToken[], item: ListItem): boolean {
  if (item.to - item.from < 2 || operatorBefore(sql, tokens, item.to - 1)) return false;
  const before = tokens[item.to - 2]!;
  return before.text === 'as' || before.kind === 'ident' || before.text === ')' || before.kind === 'string';
}

/** Every SELECT list and RETURNING list, with the parenthesis depth it stands at. */
export function selectLists(sql: string, tokens: readonly SqlToken[], match: Int32Array): SelectList[] {
  const lists: SelectList[] = [];
  let depth = 0;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind === 'punct' && t.text === '(') depth++;
    else if (t.kind === 'punct' && t.text === ')') depth = Math.max(0, depth - 1);
    else if (t.kind === 'ident' && (t.text === 'select' || t.text === 'returning')) {
      let from = k + 1;
      while (SELECT_MODIFIERS.has(tokens[from]?.text ?? '')) from++;
      if (tokens[from]?.text === 'on' && tokens[from + 1]?.text === '(') {
        // DISTINCT ON (…)
        const close = match[from + 1]!;
        if (close < 0) continue;
        from = close + 1;
      }
      lists.push({ at: k, depth, items: listItems(sql, tokens, match, from) });
    }
  }
  return lists;
}

/** The comma-separated items of a list from token `from`, up to an end word, `)` or `;` at its depth. */
function listItems(sql: string, tokens: readonly SqlToken[], match: Int32Array, from: number): ListItem[] {
  const items: ListItem[] = [];
  let start = from;
  for (let k = from; k <= tokens.length; k++) {
    const t = tokens[k];
    const ends =
      t === undefined ||
      (t.kind === 'punct' && (t.text === ')' || t.text === ';')) ||
      (t.kind === 'ident' && LIST_END.has(t.text));
    if (ends || (t.kind === 'punct' && t.text === ',')) {
      // The lexer drops `*`: a bare star is an empty item, `t.*` one that ends with its dot.
      const gap = sql.slice(tokens[start - 1]?.end ?? 0, t?.start ?? sql.length);
      if (k > start) items.push(item(sql, tokens, start, k));
      else if (gap.includes('*')) items.push({ from: start, to: k, name: null, star: true });
      if (ends) return items;
      start = k + 1;
    } else if (t.kind === 'punct' && t.text === '(') {
      if (match[k]! < 0) return items;
      k = match[k]!;
    }
  }
  return items;
}

function item(sql: string, tokens: readonly SqlToken[], from: number, to: number): ListItem {
  const last = tokens[to - 1]!;
  const star = last.text === '.';
  const name =
    last.kind === 'ident' && !operatorBefore(sql, tokens, to - 1) ? (last.name ?? last.text) : null;
  return { from, to, name, star };
}

/**
 * Whether an operator the lexer drops (`||`, `+`, `*`, `-`, `/`, `%`, `&`, `^`, `@`, `#`) stands
 * between token `k` and the one before it: `'' || password` is an expression the server names
 * `?column?`, not `''` aliased `password`. Read as an alias, the item was taken for the secret
 * column itself, masked by its name, and its cells were recorded in clear until 6 December.
 */
function operatorBefore(sql: string, tokens: readonly SqlToken[], k: number): boolean {
  const before = tokens[k - 1];
  if (before === undefined || before.kind === 'punct' || before.kind === 'op') return false;
  const gap = sql.slice(before.end, tokens[k]!.start).replace(/\/\*[\s\S]*?\*\/|--[^\n]*/g, ' ');
  return /[|+\-*/%&^@#]/.test(gap);
}

/**
 * Whether a statement too long to read may return a secret column's values: it returns rows
 * (SELECT, RETURNING, a cursor's) and names a secret anywhere (a bulk INSERT without RETURNING does not).
 */
function mayReadSecrets(sql: string, secret: (name: string) => boolean): boolean {
  if (!/\b(?:select|returning)\b/i.test(sql)) return false;
  for (const word of sql.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) if (secret(word[0])) return true;
  return false;
}
