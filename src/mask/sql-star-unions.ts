// A set operation whose branches all read `*` (or `TABLE`) from different relations: `SELECT * FROM
// t1 WHERE … UNION SELECT * FROM users`. The result takes its column names from the first branch,
// so the later branch's passwords are answered under t1's names (`note`, say), and which position
// they fill is not in the statement (neither star's width is). Recorded in clear until 6 December.
// sql-derived-columns.ts withholds every cell of such a result.
//
// Targeted so that ordinary SQL stays readable: branches that read the same relations (`SELECT *
// FROM users WHERE a UNION SELECT * FROM users WHERE b`) give each column under its own name, and
// are kept. Errs on masking where the relations differ but their columns are alike (`SELECT * FROM
// orders_2025 UNION ALL SELECT * FROM orders_2026`, a table diffed with its copy by EXCEPT): their
// cells are withheld too, since which table has a secret column is in the tables' definitions,
// which the masker does not read.
import type { SelectList } from './sql-renamed-columns.js';
import type { SqlToken } from './sql-tokens.js';

const SET_OPERATORS = new Set(['union', 'intersect', 'except', 'minus']);
const SET_QUANTIFIERS = new Set(['all', 'distinct']);
/** Words that end a FROM clause at its own depth. */
const FROM_END = new Set([
  'where',
  'group',
  'having',
  'order',
  'limit',
  'offset',
  'fetch',
  'for',
  'window',
  'union',
  'intersect',
  'except',
  'minus',
  'into',
  'returning',
]);
/** Words after which a relation is named in a FROM clause. */
const RELATION_BEFORE = new Set(['from', 'join', ',']);
/** Words between those and the relation. */
const RELATION_MODIFIERS = new Set(['lateral', 'only']);

/** One branch of a top-level set operation: whether it reads `*`, and the relations it reads, as a key. */
interface Branch {
  readonly star: boolean;
  readonly relations: string;
  /** Whether a set operator stands before it. */
  readonly later: boolean;
}

/**
 * Whether a top-level set operation has a later branch reading `*` (or a whole `TABLE`) from
 * relations its first branch, itself reading `*`, does not read.
 */
export function starUnionOfOtherRelations(
  tokens: readonly SqlToken[],
  match: Int32Array,
  lists: readonly SelectList[],
): boolean {
  // Without a star there is none; without a set operator, no later branch.
  if (!lists.some((l) => l.items.some((item) => item.star)) || !hasSetOperator(tokens)) return false;
  let first: Branch | null = null;
  const listAt = new Map<number, SelectList>();
  for (const l of lists) listAt.set(l.at, l);
  let depth = 0;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind === 'punct') {
      if (t.text === '(') depth++;
      else if (t.text === ')') depth = Math.max(0, depth - 1);
      else if (t.text === ';' && depth === 0) first = null;
      continue;
    }
    if (t.kind !== 'ident' || (t.text !== 'select' && t.text !== 'table')) continue;
    const before = operandStart(tokens, k);
    // A branch stands at the top, or inside parentheses that only wrap it: not a subquery's.
    if (before.wrapped !== depth || (depth > 0 && !before.starts)) continue;
    let branch: Branch;
    if (t.text === 'table') {
      if (!before.starts || tokens[k + 1]?.kind !== 'ident') continue;
      branch = { star: true, relations: relationName(tokens, k + 1), later: before.later };
    } else {
      const list = listAt.get(k);
      if (list === undefined) continue;
      const star = list.items.some((item) => item.star);
      const last = list.items[list.items.length - 1];
      const end = last === undefined ? k + 1 : last.to;
      branch = {
        star,
        relations: tokens[end]?.text === 'from' ? relations(tokens, match, end) : '',
        later: before.later,
      };
    }
    if (!branch.later) first = branch;
    else if (first?.star && branch.star && branch.relations !== first.relations) return true;
  }
  return false;
}

/** Whether any token is a set operator: one pass, no allocation (statements reach here on the hot path). */
export function hasSetOperator(tokens: readonly SqlToken[]): boolean {
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind === 'ident' && t.text.length >= 5 && SET_OPERATORS.has(t.text)) return true;
  }
  return false;
}

/**
 * What stands before the branch keyword at `k`, over the parentheses that only wrap an operand
 * (`UNION ((SELECT …))`): how many, whether a set operator does (a later branch), and whether the
 * keyword may start a branch there (`TABLE` elsewhere is DDL's: `ALTER TABLE`, `CREATE TABLE`).
 */
function operandStart(
  tokens: readonly SqlToken[],
  k: number,
): { wrapped: number; later: boolean; starts: boolean } {
  let p = k - 1;
  let wrapped = 0;
  while (tokens[p]?.text === '(') {
    p--;
    wrapped++;
  }
  if (SET_QUANTIFIERS.has(tokens[p]?.text ?? '')) p--;
  const t = tokens[p];
  const later = t?.kind === 'ident' && SET_OPERATORS.has(t.text);
  return { wrapped, later, starts: later || t === undefined || t.text === ';' || t.text === '(' };
}

/** `schema.table` from token `k`, as one name. */
export function relationName(tokens: readonly SqlToken[], k: number): string {
  let name = tokens[k]!.text;
  for (let q = k; tokens[q + 1]?.text === '.' && tokens[q + 2]?.kind === 'ident'; q += 2)
    name += `.${tokens[q + 2]!.text}`;
  return name;
}

/**
 * The relations a FROM clause from token `from` reads, in order, as one key: a derived table or a
 * function (a group) is named by where it stands, so that no two are taken for the same. `aliases`,
 * when given, gets each relation's alias.
 */
export function relations(
  tokens: readonly SqlToken[],
  match: Int32Array,
  from: number,
  aliases?: Map<string, string>,
): string {
  const names: string[] = [];
  for (let q = from; q < tokens.length; q++) {
    const t = tokens[q]!;
    if (t.kind === 'punct' && t.text === '(') {
      if (match[q]! < 0) break;
      q = match[q]!;
      continue;
    }
    if (
      (t.kind === 'punct' && (t.text === ')' || t.text === ';')) ||
      (t.kind === 'ident' && FROM_END.has(t.text))
    )
      break;
    if (!RELATION_BEFORE.has(t.text)) continue;
    let r = q + 1;
    while (RELATION_MODIFIERS.has(tokens[r]?.text ?? '')) r++;
    const relation = tokens[r];
    if (relation?.kind === 'ident') {
      const name = relationName(tokens, r);
      names.push(name);
      // `t1 c`, `t1 AS c`: the alias a qualified star (`c.*`) names the relation by.
      let a = r + 1 + 2 * (name.split('.').length - 1);
      if (tokens[a]?.text === 'as') a++;
      const alias = tokens[a];
      if (aliases !== undefined && alias?.kind === 'ident' && !FROM_END.has(alias.text))
        aliases.set(alias.text, name);
    } else if (relation?.text === '(') names.push(`(#${r})`);
  }
  return names.join(' ');
}
