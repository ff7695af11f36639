// A set operation's later branch fills its first branch's columns by position, so a literal there
// is compared with (INTERSECT, EXCEPT) or answered as (UNION) the secret column the first branch
// reads: `SELECT name, password FROM users INTERSECT SELECT 'ann', '…'` tells whether ann's password
// is the literal, and `SELECT password FROM users UNION SELECT '…'` answers it under `password`.
// The literal was recorded as typed until 6 December. Here each later branch's item at a position
// whose first-branch item gives a secret column (the column, cast, aliased or passed to a function
// that is not a measure; sql-renamed-secrets.ts) is bound to that column. A `*` in either branch
// leaves the positions unknown, and a branch after VALUES is not read (known misses).
import type { BindFrom } from './sql-clauses.js';
import { skipValue } from './sql-lists.js';
import { type OperandGroups, operandGroups } from './sql-operand-groups.js';
import { openers } from './sql-parens.js';
import { SET_OPERATORS, SET_QUANTIFIERS, startsOperand } from './sql-renamed-columns.js';
import { aliasOf, type RenameSteps, secretGiven } from './sql-renamed-secrets.js';
import { hasSetOperator } from './sql-star-unions.js';
import type { SqlToken } from './sql-tokens.js';

/** Words after SELECT that are not its first item. */
const MODIFIERS = new Set(['distinct', 'all']);

/** A select list: its items' token ranges, whether one is a star, and the list it takes its columns from. */
interface Branch {
  readonly items: readonly { readonly from: number; readonly to: number }[];
  readonly star: boolean;
  readonly head: number;
  /** For a head, the secret column each item gives (found when a later branch asks). */
  columns?: (string | null)[];
}

/** Binds, through `bindFrom`, each later branch's value at a position whose first branch gives a secret column. */
export function bindSetBranches(
  sql: string,
  tokens: readonly SqlToken[],
  match: Int32Array,
  secret: (column: string) => boolean,
  bindFrom: BindFrom,
  counter?: RenameSteps,
): void {
  // Most statements have no set operation: they are not read further.
  if (!hasSetOperator(tokens)) return;
  let groups: OperandGroups | null = null;
  const groupsOf = () => {
    groups ??= operandGroups(tokens, secret);
    return groups;
  };
  let opener: Int32Array | null = null;
  const branches: Branch[] = [];
  const branchAt = new Map<number, number>();
  const lastAtDepth = new Map<number, number>();
  let depth = 0;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind === 'punct') {
      if (t.text === '(') depth++;
      else if (t.text === ')') depth = Math.max(0, depth - 1);
      else if (t.text === ';' && depth === 0) lastAtDepth.clear();
      continue;
    }
    if (t.kind !== 'ident' || t.text !== 'select') continue;
    let p = k - 1;
    let wrapped = 0;
    while (tokens[p]?.text === '(' && startsOperand(tokens, p)) {
      p--;
      wrapped++;
    }
    const level = depth - wrapped;
    if (SET_QUANTIFIERS.has(tokens[p]?.text ?? '')) p--;
    const index = branches.length;
    let head = index;
    if (tokens[p]?.kind === 'ident' && SET_OPERATORS.has(tokens[p]!.text)) {
      // The operand before the operator: a parenthesised one (`(SELECT …) UNION …`), else the
      // last list at this level.
      let previous: number | undefined;
      if (tokens[p - 1]?.text === ')') {
        opener ??= openers(match);
        const open = opener[p - 1]!;
        let first = open + 1;
        while (first > 0 && tokens[first]?.text === '(') first++;
        // Not `IN (SELECT …) UNION …`: a subquery's list is no operand.
        if (open >= 0 && startsOperand(tokens, open)) previous = branchAt.get(first);
      }
      previous ??= lastAtDepth.get(level);
      if (previous !== undefined) head = branches[previous]!.head;
    }
    const branch = readBranch(tokens, match, k, head, counter);
    branches.push(branch);
    branchAt.set(k, index);
    for (let d = level; d <= depth; d++) lastAtDepth.set(d, index);
    if (head === index || branch.star) continue;
    const first = branches[head]!;
    if (first.star) continue;
    first.columns ??= first.items.map((item) => {
      const alias = aliasOf(sql, tokens, item.from, item.to);
      return secretGiven(tokens, match, item.from, alias?.exprEnd ?? item.to, secret, groupsOf);
    });
    for (const [i, item] of branch.items.entries()) {
      const column = first.columns[i];
      if (column !== null && column !== undefined) bindFrom(item.from, column);
    }
  }
}

/** The items of the select list at `select` (nested groups stepped over), taking its columns from `head`. */
function readBranch(
  tokens: readonly SqlToken[],
  match: Int32Array,
  select: number,
  head: number,
  counter?: RenameSteps,
): Branch {
  const items: { from: number; to: number }[] = [];
  let star = false;
  let r = select + 1;
  while (MODIFIERS.has(tokens[r]?.text ?? '')) r++;
  for (;;) {
    const end = skipValue(tokens, match, r, counter);
    // The lexer drops `*`: a bare star is an empty item, `t.*` one that ends with its dot.
    if (end <= r || tokens[end - 1]?.text === '.') star = true;
    if (end > r) items.push({ from: r, to: end });
    if (tokens[end]?.text !== ',') break;
    r = end + 1;
  }
  return { items, star, head };
}
