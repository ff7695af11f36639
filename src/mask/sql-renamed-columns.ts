// Names SQL gives a secret column's values without writing an alias beside them: a column list
// after a subquery's, a CTE's or a table's alias (`FROM (SELECT password FROM users) s(x)`, `WITH
// s(p) AS (SELECT password …)`, `FROM users AS t(i, n, p)`), and a set operation, whose result
// takes its column names from its first branch (`SELECT name FROM t UNION SELECT password FROM
// users` answers the passwords under `name`). The server names these cells `x`, `p`, `name`, which
// say nothing: until 6 December they were recorded in clear. Errs on masking where the mapping
// cannot be read: a table's or a star's column list, and a function's whose arguments name a
// secret, have every name of the list taken.
import { openers } from './sql-parens.js';
import type { SqlToken } from './sql-tokens.js';

/** One item of a select or RETURNING list: its tokens, and the name the result gives it. */
export interface ListItem {
  readonly from: number;
  readonly to: number;
  /** The name the result gives the column, or null (an expression without an alias). */
  readonly name: string | null;
  readonly star: boolean;
}

/** A select or RETURNING list: the index of its SELECT (or RETURNING) token, and its depth in parentheses. */
export interface SelectList {
  readonly at: number;
  readonly depth: number;
  readonly items: readonly ListItem[];
}

export const SET_OPERATORS: ReadonlySet<string> = new Set(['union', 'intersect', 'except', 'minus']);
export const SET_QUANTIFIERS: ReadonlySet<string> = new Set(['all', 'distinct']);
/** Words after which a relation (and its alias) is written. */
const RELATION_BEFORE = new Set(['from', 'join', 'lateral', 'only', ',']);
/**
 * Words a `(` follows that are not an alias with its column list (`USING (id)`, `IN (a, b)`,
 * `VALUES (…)`, `OVER (…)`), nor a relation before one.
 */
const NOT_ALIASES = new Set([
  'as',
  'using',
  'in',
  'exists',
  'any',
  'all',
  'some',
  'values',
  'on',
  'over',
  'filter',
  'within',
  'lateral',
  'only',
  'from',
  'join',
  'not',
  'and',
  'or',
  'when',
  'then',
  'else',
  'where',
  'select',
  'row',
  'array',
  'tablesample',
]);
/** Words a subquery starts with: a `(` before one opens no column list. */
const QUERY_STARTS = new Set(['select', 'with', 'values', 'table']);

export interface Renamed {
  /** Whether `derived` grew. */
  readonly grew: boolean;
  /** Positions of the statement's result (from its first column) that a set operation's branch fills with a secret. */
  readonly positions: ReadonlySet<number>;
}

/**
 * Adds to `derived` (lower-case names) the names alias column lists and set operations give to
 * secret values. `secretItem` says whether an item's value is secret (a secret-named column, or
 * derived from one); `secretToken` whether a token names a secret.
 */
export type SecretRenamer = (
  secretItem: (item: ListItem) => boolean,
  secretToken: (k: number) => boolean,
  derived: Set<string>,
) => Renamed;

/** What an alias column list renames: a list's columns in order, or every name (a table's, a function's). */
type AliasList =
  | { readonly names: readonly string[]; readonly list: number }
  | { readonly names: readonly string[]; readonly argumentsOf?: readonly [number, number] };

/**
 * The statement's set operations and alias column lists, read once; the returned function is
 * called again as more names are found derived (sql-derived-columns.ts reads a few renames deep).
 */
export function secretRenamer(
  tokens: readonly SqlToken[],
  match: Int32Array,
  lists: readonly SelectList[],
): SecretRenamer {
  const opener = openers(match);
  const listAt = new Map<number, number>();
  for (const [i, l] of lists.entries()) listAt.set(l.at, i);
  const { heads, orphans, level } = setHeads(tokens, opener, lists, listAt);
  const starAt = lists.map((l) => l.items.findIndex((item) => item.star));
  const aliases = aliasLists(tokens, match, opener, listAt, heads);
  const starFilled = starBranches(lists, heads, starAt);
  return (secretItem, secretToken, derived) => {
    const before = derived.size;
    const secretAt = lists.map(
      (l) => new Set(l.items.flatMap((item, i) => (!item.star && secretItem(item) ? [i] : []))),
    );
    const positions = new Set<number>();
    for (const [h, filled] of starFilled) {
      for (const p of filled) {
        if (level[h] === 0) positions.add(p);
        const named = lists[h]!.items[p]?.name;
        if (named) derived.add(named.toLowerCase());
      }
    }
    for (const [i, h] of heads.entries()) {
      if (starAt[i]! >= 0) continue;
      if (h === i) {
        // A branch after VALUES or TABLE: the result's names are not in the statement, its
        // positions are (`TABLE products UNION SELECT id, password …` answers under `name`).
        if (orphans.has(i) && level[i] === 0) for (const p of secretAt[i]!) positions.add(p);
        continue;
      }
      const head = lists[h]!;
      for (const p of secretAt[i]!) {
        secretAt[h]!.add(p);
        if (level[h] === 0) positions.add(p);
        const named = starAt[h]! < 0 ? head.items[p]?.name : null;
        if (named) derived.add(named.toLowerCase());
      }
    }
    let secretsBefore: Int32Array | null = null;
    for (const alias of aliases) {
      if ('list' in alias) {
        if (starAt[alias.list]! >= 0) for (const n of alias.names) derived.add(n);
        else
          for (const p of secretAt[alias.list]!)
            if (alias.names[p] !== undefined) derived.add(alias.names[p]!);
        continue;
      }
      if (alias.argumentsOf !== undefined) {
        // Secret tokens before each index, so that each function's arguments are looked through in one step.
        secretsBefore ??= countBefore(tokens.length, secretToken);
        const [open, close] = alias.argumentsOf;
        if (secretsBefore[close]! === secretsBefore[open + 1]!) continue;
      }
      for (const n of alias.names) derived.add(n);
    }
    return { grew: derived.size > before, positions };
  };
}

/**
 * Later branches with a `*` (`SELECT name FROM t UNION SELECT * FROM users`): what one expands to
 * (here the passwords, under `name`) is not in the statement, so every position of its first
 * branch's list the star may fill is taken: from the star's index to as many from the end as items
 * follow it. Recorded in clear until 6 December. When the first branch has a star too, the width is
 * unknown and the branches are left to the names the server gives (a known miss). By head list,
 * the positions; found once, by marking where each branch's span starts and ends, so that many
 * branches of a wide list cost their items, not their product.
 */
function starBranches(
  lists: readonly SelectList[],
  heads: readonly number[],
  starAt: readonly number[],
): Map<number, number[]> {
  const marks = new Map<number, Int32Array>();
  for (const [i, h] of heads.entries()) {
    if (h === i || starAt[i]! < 0 || starAt[h]! >= 0) continue;
    const width = lists[h]!.items.length;
    const last = width - (lists[i]!.items.length - starAt[i]!);
    if (last < starAt[i]!) continue;
    let mark = marks.get(h);
    if (mark === undefined) {
      mark = new Int32Array(width + 1);
      marks.set(h, mark);
    }
    mark[starAt[i]!]!++;
    mark[last + 1]!--;
  }
  const filled = new Map<number, number[]>();
  for (const [h, mark] of marks) {
    const positions: number[] = [];
    for (let p = 0, open = 0; p < mark.length - 1; p++) {
      open += mark[p]!;
      if (open > 0) positions.push(p);
    }
    filled.set(h, positions);
  }
  return filled;
}

/** Every alias column list: of a CTE or a subquery (renaming its list's columns), a function's or a table's. */
function aliasLists(
  tokens: readonly SqlToken[],
  match: Int32Array,
  opener: Int32Array,
  listAt: ReadonlyMap<number, number>,
  heads: readonly number[],
): AliasList[] {
  const found: AliasList[] = [];
  const headAt = (open: number) => {
    const l = listAt.get(open + 1);
    return l === undefined ? undefined : heads[l];
  };
  for (let k = 1; k < tokens.length; k++) {
    const functionAlias = calledAlias(tokens, opener, k);
    if (functionAlias !== null) found.push(functionAlias);
    if (tokens[k]!.text !== '(' || tokens[k]!.kind !== 'punct') continue;
    const alias = tokens[k - 1]!;
    if (alias.kind !== 'ident' || NOT_ALIASES.has(alias.text) || QUERY_STARTS.has(tokens[k + 1]?.text ?? ''))
      continue;
    const close = match[k]!;
    if (close < 0) continue;
    const names = columnNames(tokens, match, k, close);
    if (names.length === 0) continue;
    // A CTE: `name (cols) AS [NOT] [MATERIALIZED] (body)`.
    if (tokens[close + 1]?.text === 'as') {
      let body = close + 2;
      while (tokens[body]?.text === 'not' || tokens[body]?.text === 'materialized') body++;
      const list = tokens[body]?.text === '(' ? headAt(body) : undefined;
      if (list !== undefined) found.push({ names, list });
      continue;
    }
    let p = k - 2;
    if (tokens[p]?.text === 'as') p--;
    const source = tokens[p];
    if (source === undefined) continue;
    if (source.kind === 'punct' && source.text === ')') {
      const open = opener[p]!;
      if (open < 0) continue;
      const list = tokens[open + 1]?.text === 'select' ? headAt(open) : undefined;
      if (list !== undefined) found.push({ names, list });
      // `(TABLE users) s(a, b, c)`: a table's columns, as below (recorded in clear until 6 December).
      else if (tokens[open + 1]?.text === 'table') found.push({ names });
      else if (tokens[open - 1]?.kind === 'ident') found.push({ names, argumentsOf: [open, p] });
    } else if (
      source.kind === 'ident' &&
      !NOT_ALIASES.has(source.text) &&
      RELATION_BEFORE.has(relationStart(tokens, p))
    )
      // A table's columns renamed in order: which one is the secret cannot be read here.
      found.push({ names });
  }
  return found;
}

/** Words that follow a relation and are not its alias. */
const NOT_RELATION_ALIASES = new Set([
  ...NOT_ALIASES,
  'cross',
  'inner',
  'left',
  'right',
  'full',
  'natural',
  'straight_join',
  'group',
  'order',
  'limit',
  'offset',
  'fetch',
  'for',
  'having',
  'window',
  'union',
  'intersect',
  'except',
  'minus',
  'returning',
  'set',
  'into',
  'with',
  'without',
  'ordinality',
]);

/**
 * A function in FROM given an alias and no column list (`LATERAL unnest(ARRAY[u.password]) x`,
 * `FROM upper(password) AS p`): a function returning one value names its column after the alias,
 * so the alias is taken when the arguments name a secret. Read at the `)` (token `k`) that closes
 * the arguments. Recorded in clear until 6 December.
 */
function calledAlias(tokens: readonly SqlToken[], opener: Int32Array, k: number): AliasList | null {
  const close = tokens[k]!;
  if (close.kind !== 'punct' || close.text !== ')') return null;
  const open = opener[k]!;
  const name = tokens[open - 1];
  if (open < 1 || name?.kind !== 'ident' || NOT_ALIASES.has(name.text)) return null;
  if (!RELATION_BEFORE.has(relationStart(tokens, open - 1))) return null;
  let a = k + 1;
  // WITH ORDINALITY adds a column after the function's own.
  if (tokens[a]?.text === 'with' && tokens[a + 1]?.text === 'ordinality') a += 2;
  const as = tokens[a]?.text === 'as';
  if (as) a++;
  const alias = tokens[a];
  if (alias?.kind !== 'ident' || (!as && NOT_RELATION_ALIASES.has(alias.text))) return null;
  if (tokens[a + 1]?.text === '(' || tokens[a + 1]?.text === '.') return null;
  return { names: [(alias.name ?? alias.text).toLowerCase()], argumentsOf: [open, k] };
}

function countBefore(length: number, test: (k: number) => boolean): Int32Array {
  const before = new Int32Array(length + 1);
  for (let q = 0; q < length; q++) before[q + 1] = before[q]! + (test(q) ? 1 : 0);
  return before;
}

/**
 * The list each list's set operation takes its column names from (itself when it heads one): the
 * list before `UNION [ALL]` at the same depth, or the one opening the parenthesised operand before
 * it (`((SELECT …)) UNION ((SELECT …))`, however many parentheses: since 6 December). `orphans`
 * are the later branches whose first branch is not a select list (`VALUES ('x') UNION SELECT
 * password …`, `TABLE products UNION …`), and `level` each list's depth outside the parentheses
 * that only wrap an operand.
 */
function setHeads(
  tokens: readonly SqlToken[],
  opener: Int32Array,
  lists: readonly SelectList[],
  listAt: ReadonlyMap<number, number>,
): { heads: number[]; orphans: Set<number>; level: number[] } {
  const heads: number[] = [];
  const orphans = new Set<number>();
  const level: number[] = [];
  const lastAtDepth = new Map<number, number>();
  for (const [i, l] of lists.entries()) {
    let head = i;
    let p = l.at - 1;
    // `UNION ((SELECT …))`: the branch's own parentheses.
    let wrapped = 0;
    while (tokens[p]?.text === '(' && startsOperand(tokens, p)) {
      p--;
      wrapped++;
    }
    const depth = l.depth - wrapped;
    if (SET_QUANTIFIERS.has(tokens[p]?.text ?? '')) p--;
    if (SET_OPERATORS.has(tokens[p]?.text ?? '') && tokens[p]!.kind === 'ident') {
      const left = tokens[p - 1];
      const open = left?.text === ')' ? opener[p - 1]! : -1;
      let first = open + 1;
      while (open >= 0 && tokens[first]?.text === '(') first++;
      const operand = open >= 0 && startsOperand(tokens, open) ? listAt.get(first) : undefined;
      const previous = operand ?? lastAtDepth.get(depth);
      if (previous !== undefined) head = heads[previous]!;
      else orphans.add(i);
    }
    heads.push(head);
    level.push(depth);
    // Found again from a branch at any of the depths it stands at (`(SELECT a UNION SELECT b)`).
    for (let d = depth; d <= l.depth; d++) lastAtDepth.set(d, i);
  }
  return { heads, orphans, level };
}

/** Whether the `(` at `open` begins a set operation's operand, not a subquery inside a list. */
export function startsOperand(tokens: readonly SqlToken[], open: number): boolean {
  const t = tokens[open - 1];
  return (
    t === undefined ||
    t.text === '(' ||
    t.text === ';' ||
    SET_OPERATORS.has(t.text) ||
    SET_QUANTIFIERS.has(t.text)
  );
}

/** The first identifier of each item of the list `(…)` from `open` to `close`: its names (`r(a int, b text)`). */
export function columnNames(
  tokens: readonly SqlToken[],
  match: Int32Array,
  open: number,
  close: number,
): string[] {
  const names: string[] = [];
  let expect = true;
  for (let q = open + 1; q < close; q++) {
    const t = tokens[q]!;
    if (t.kind === 'punct' && t.text === '(') {
      if (match[q]! < 0) return [];
      q = match[q]!;
      expect = false;
    } else if (t.kind === 'punct' && t.text === ',') expect = true;
    else if (expect) {
      if (t.kind !== 'ident') return [];
      names.push((t.name ?? t.text).toLowerCase());
      expect = false;
    }
  }
  return names;
}

/** The word before a relation name that ends at `k` (`schema.table` read back to its start). */
function relationStart(tokens: readonly SqlToken[], k: number): string {
  let q = k;
  while (tokens[q - 1]?.text === '.' && tokens[q - 2]?.kind === 'ident') q -= 2;
  return tokens[q - 1]?.text ?? '';
}
