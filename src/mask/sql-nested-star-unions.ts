// A set operation inside a CTE or a subquery whose first branch's column names are not in the
// statement (`SELECT *`, `TABLE t`, `VALUES …`), read again outside it: `WITH x AS (SELECT * FROM t1
// UNION ALL SELECT * FROM users) SELECT * FROM x`, `SELECT note FROM (SELECT * FROM t1 UNION SELECT
// id, name, password FROM users) s`. The set operation's result takes t1's names, so the passwords
// reach the result under one of them (`note`), and which one is in the tables' definitions, which
// the masker does not read. sql-star-unions.ts withholds such a result at the top level; nested,
// it was recorded in clear until 6 December. Here a nested one is found when a later branch reads
// `*` (or `TABLE`) of other relations than the first branch, or has an item that reads a secret
// column; sql-derived-columns.ts then withholds every cell of the statement's result (errs on
// masking: which column the outer query reads of it is not followed).
//
// Not taken: a set operation in a subquery whose rows never reach the result (`IN (…)`, `EXISTS
// (…)`, `= ANY (…)`), and one whose first branch names its columns (sql-renamed-columns.ts reads
// those by name).
import {
  type ListItem,
  SET_OPERATORS,
  SET_QUANTIFIERS,
  type SelectList,
  startsOperand,
} from './sql-renamed-columns.js';
import { relationName, relations } from './sql-star-unions.js';
import type { SqlToken } from './sql-tokens.js';

/** Words before a subquery whose rows are tested, not returned. */
const TESTED_AFTER = new Set(['in', 'exists', 'any', 'some']);

/** One branch of a nested set operation: whether its names are unknown, what it reads, whether it reads a secret. */
interface Branch {
  readonly unnamed: boolean;
  readonly relations: string;
  readonly secret: boolean;
  /** The relations its stars read, each qualified (`t1.*`, `c.*` for `t1 c`); null when one is bare. */
  readonly starred: readonly string[] | null;
}

/**
 * Whether a set operation below the top level, in a subquery whose rows may reach the result, has a
 * first branch of unknown names and a later branch that may put a secret under one of them.
 * `secretItem`: whether a select-list item reads a secret column (or a name derived from one).
 */
export function nestedStarUnion(
  tokens: readonly SqlToken[],
  match: Int32Array,
  lists: readonly SelectList[],
  secretItem: (item: ListItem) => boolean,
): boolean {
  const listAt = new Map<number, SelectList>();
  for (const l of lists) if (l.depth > 0) listAt.set(l.at, l);
  // Per open parenthesis: whether rows inside it may reach the result (none may under `IN (`).
  const reaches: boolean[] = [true];
  // Per level: the first branch of the set operation being read there.
  const first: (Branch | undefined)[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    const depth = reaches.length - 1;
    if (t.kind === 'punct') {
      if (t.text === '(') reaches.push(reaches[depth]! && !tested(tokens, k));
      else if (t.text === ')' && depth > 0) {
        reaches.pop();
        first.length = Math.min(first.length, depth);
      } else if (t.text === ';' && depth === 0) first.length = 0;
      continue;
    }
    if (t.kind !== 'ident' || (t.text !== 'select' && t.text !== 'table' && t.text !== 'values')) continue;
    let p = k - 1;
    let wrapped = 0;
    while (tokens[p]?.text === '(' && startsOperand(tokens, p)) {
      p--;
      wrapped++;
    }
    const level = depth - wrapped;
    if (level <= 0 || !reaches[level]!) continue;
    if (SET_QUANTIFIERS.has(tokens[p]?.text ?? '')) p--;
    const later = tokens[p]?.kind === 'ident' && SET_OPERATORS.has(tokens[p]!.text);
    // `TABLE` and `VALUES` start a branch only where a query may start (not `CREATE TABLE`, `INSERT … VALUES`).
    const starts = later || tokens[p]?.text === '(' || tokens[p]?.text === 'as';
    const branch = readBranch(tokens, match, k, listAt, secretItem, starts);
    if (branch === null) continue;
    if (!later) {
      first[level] = branch;
      continue;
    }
    const head = first[level];
    if (head?.unnamed && (branch.secret || (branch.unnamed && !sameRows(head, branch)))) return true;
  }
  return false;
}

/**
 * Whether a later branch's stars give the head's columns: it reads the same relations, or each of
 * its stars is qualified by one the head reads (a recursive CTE's `SELECT t1.* FROM t1 JOIN r …`).
 */
function sameRows(head: Branch, branch: Branch): boolean {
  if (branch.relations === head.relations) return true;
  if (branch.starred === null) return false;
  const read = new Set(head.relations.split(' '));
  return branch.starred.every((r) => read.has(r));
}

/** Whether the `(` at `open` encloses a subquery whose rows are tested (`IN (`, `= ALL (`), not returned. */
function tested(tokens: readonly SqlToken[], open: number): boolean {
  const before = tokens[open - 1];
  if (before?.kind !== 'ident') return false;
  if (TESTED_AFTER.has(before.text)) return true;
  // `= ALL (…)`; `UNION ALL (…)` wraps a branch.
  return before.text === 'all' && !SET_OPERATORS.has(tokens[open - 2]?.text ?? '');
}

function readBranch(
  tokens: readonly SqlToken[],
  match: Int32Array,
  k: number,
  listAt: ReadonlyMap<number, SelectList>,
  secretItem: (item: ListItem) => boolean,
  starts: boolean,
): Branch | null {
  const t = tokens[k]!;
  if (t.text === 'table') {
    if (!starts || tokens[k + 1]?.kind !== 'ident') return null;
    return { unnamed: true, relations: relationName(tokens, k + 1), secret: false, starred: null };
  }
  if (t.text === 'values') {
    if (!starts) return null;
    // A VALUES branch reads no relation: named by where it stands, so none is taken for another.
    return { unnamed: true, relations: `(values#${k})`, secret: false, starred: null };
  }
  const list = listAt.get(k);
  if (list === undefined) return null;
  const last = list.items[list.items.length - 1];
  const end = last === undefined ? k + 1 : last.to;
  const aliases = new Map<string, string>();
  const read = tokens[end]?.text === 'from' ? relations(tokens, match, end, aliases) : '';
  const starred: string[] = [];
  for (const item of list.items) {
    if (!item.star) continue;
    // The lexer drops `*`: a bare star is an empty item, `c.*` one that ends with its dot.
    const qualifier = item.to - item.from >= 2 ? tokens[item.to - 2]! : undefined;
    if (qualifier?.kind !== 'ident') return branchOf(list, read, secretItem, null);
    starred.push(aliases.get(qualifier.text) ?? qualifier.text);
  }
  return branchOf(list, read, secretItem, starred);
}

function branchOf(
  list: SelectList,
  read: string,
  secretItem: (item: ListItem) => boolean,
  starred: readonly string[] | null,
): Branch {
  return {
    unnamed: list.items.some((item) => item.star),
    relations: read,
    secret: list.items.some((item) => !item.star && secretItem(item)),
    starred,
  };
}
