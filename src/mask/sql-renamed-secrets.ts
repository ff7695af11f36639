// Names a statement gives a secret column's value that a comparison may use later in the same text:
// an alias in a derived table or a CTE read by an outer WHERE (`SELECT name FROM (SELECT name,
// password AS p FROM users) s WHERE p = '…'`, `WITH s AS (SELECT password AS p …) … WHERE s.p =
// '…'`), a column list renaming one (`(SELECT password FROM users) s(x)`, `WITH s(p) AS (SELECT
// password …)`), and a view created earlier in the same text (`CREATE VIEW v AS SELECT password AS
// p FROM users; SELECT … FROM v WHERE p = '…'`). The compared value is the password, and the name
// says nothing, so it was recorded as typed until 6 December. sql-comparisons.ts binds a value
// compared with such a name as it binds one compared with the column.
//
// Only what the text itself says is known: a view or a table created by an earlier statement (a
// separate query) is not remembered. A name is taken when the item gives the column's value or a
// function of it (`password AS p`, `u.password::text p`, `upper(password) AS p`), not a measure of
// it (`length(password) AS n`, sql-operand-groups.ts), so `WHERE n > 8` keeps its 8.
import { columnList, skipValue } from './sql-lists.js';
import { groupColumn, type OperandGroups, operandGroups } from './sql-operand-groups.js';
import { openers } from './sql-parens.js';
import type { SqlToken } from './sql-tokens.js';

/** Words after SELECT that are not its first item. */
const MODIFIERS = new Set(['distinct', 'all']);
/** Words that cannot be an alias written without AS. */
const NOT_ALIASES = new Set([
  'from',
  'into',
  'where',
  'as',
  'union',
  'intersect',
  'except',
  'end',
  'then',
  'else',
]);

const NONE: ReadonlySet<string> = new Set();

/** A counter of the tokens looked at, for the linear-steps test. */
export interface RenameSteps {
  steps: number;
}

/**
 * The names (lower case) the text gives to a secret column's value through an alias or a column
 * list. One pass over the select lists, each item's nested groups stepped over (matchingParens), so
 * a nested statement is read once.
 */
export function renamedSecrets(
  sql: string,
  tokens: readonly SqlToken[],
  match: Int32Array,
  secret: (column: string) => boolean,
  counter?: RenameSteps,
): ReadonlySet<string> {
  // A name given in one select list is read by another (a derived table's, a CTE's, a view's and
  // the query's): a statement of one SELECT gives none, and is not read (the hot path's shape).
  let selects = 0;
  for (let k = 0; k < tokens.length && selects < 2; k++) if (tokens[k]!.text === 'select') selects++;
  if (selects < 2) return NONE;
  const found = new Set<string>();
  let groups: OperandGroups | null = null;
  let opened: Int32Array | null = null;
  const openerOf = (close: number) => {
    opened ??= openers(match);
    return opened[close]!;
  };
  const groupsOf = () => {
    groups ??= operandGroups(tokens, secret);
    return groups;
  };
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind !== 'ident' || t.text !== 'select') continue;
    // The positions of the list's secret items, for a column list renaming them.
    const secretAt: number[] = [];
    let r = k + 1;
    while (MODIFIERS.has(tokens[r]?.text ?? '')) r++;
    for (let index = 0; ; index++) {
      const end = skipValue(tokens, match, r, counter);
      // An empty item is a `*` (the lexer drops it): `SELECT *, password AS p`.
      if (end > r) {
        const alias = aliasOf(sql, tokens, r, end);
        const exprEnd = alias === null ? end : alias.exprEnd;
        if (secretGiven(tokens, match, r, exprEnd, secret, groupsOf) !== null) {
          secretAt.push(index);
          if (alias !== null) found.add(alias.name);
        }
      }
      if (tokens[end]?.text !== ',') break;
      r = end + 1;
    }
    if (secretAt.length > 0)
      for (const name of listNames(tokens, match, k, secretAt, openerOf)) found.add(name);
  }
  return found;
}

/** The alias ending the item [from, end) (`… AS p`, `… p`) and where its expression ends, or null. */
export function aliasOf(
  sql: string,
  tokens: readonly SqlToken[],
  from: number,
  end: number,
): { name: string; exprEnd: number } | null {
  const last = tokens[end - 1]!;
  if (last.kind !== 'ident' || end - 1 <= from) return null;
  const before = tokens[end - 2]!;
  const name = (last.name ?? last.text).toLowerCase();
  if (before.text === 'as') return end - 2 > from ? { name, exprEnd: end - 2 } : null;
  if (NOT_ALIASES.has(last.text) || before.text === '.' || before.text === '::') return null;
  // `password || x` is an expression (the lexer drops `||`), not `password` aliased `x`.
  if (/[|+\-*/%&^@#]/.test(sql.slice(before.end, last.start))) return null;
  return before.kind === 'ident' || before.text === ')' ? { name, exprEnd: end - 1 } : null;
}

/**
 * The secret column whose value the expression [from, to) gives, or null: a reference
 * (`u.password`, with casts), or a call or group around one that is not a measure (`upper(password)`).
 */
export function secretGiven(
  tokens: readonly SqlToken[],
  match: Int32Array,
  from: number,
  to: number,
  secret: (column: string) => boolean,
  groupsOf: () => OperandGroups,
): string | null {
  let q = from;
  let open = -1;
  let name: string | null = null;
  if (tokens[q]?.kind === 'ident' && tokens[q + 1]?.text === '(') {
    open = q + 1;
    q = match[open]! + 1;
  } else if (tokens[q]?.text === '(') {
    open = q;
    q = match[open]! + 1;
  } else {
    while (tokens[q]?.kind === 'ident' && tokens[q + 1]?.text === '.' && tokens[q + 2]?.kind === 'ident')
      q += 2;
    if (tokens[q]?.kind !== 'ident') return null;
    name = tokens[q]!.name ?? tokens[q]!.text;
    q++;
    if (!secret(name)) return null;
  }
  if (q <= 0) return null;
  // `::text`, `::varchar(64)` after it.
  while (q < to && tokens[q]?.text === '::' && tokens[q + 1]?.kind === 'ident') {
    q += 2;
    if (tokens[q]?.text === '(' && match[q]! > 0) q = match[q]! + 1;
  }
  if (q !== to) return null;
  if (open < 0) return name;
  const operand = groupColumn(tokens, groupsOf(), open);
  return operand !== null && !operand.measured ? operand.name : null;
}

/**
 * The names a column list gives the positions `secretAt` of the select list at `select`: after
 * the subquery (`(SELECT …) [AS] s(a, b)`) or before a CTE's body (`s(a, b) AS (SELECT …)`).
 */
function listNames(
  tokens: readonly SqlToken[],
  match: Int32Array,
  select: number,
  secretAt: readonly number[],
  opener: (close: number) => number,
): string[] {
  const open = select - 1;
  if (tokens[open]?.text !== '(' || match[open]! < 0) return [];
  let list = -1;
  let a = match[open]! + 1;
  if (tokens[a]?.text === 'as') a++;
  if (isAlias(tokens[a]) && tokens[a + 1]?.text === '(') list = a + 1;
  else {
    let b = open - 1;
    if (tokens[b]?.text === 'materialized') b--;
    if (tokens[b]?.text === 'not') b--;
    const c = tokens[b]?.text === 'as' && tokens[b - 1]?.text === ')' ? opener(b - 1) : -1;
    if (c > 0 && isAlias(tokens[c - 1])) list = c;
  }
  // Only a list of names (`s(a, b)`): `IN (SELECT …) AND (x = 1)` opens a condition, not one.
  const columns = list < 0 ? null : columnList(tokens, list);
  if (columns === null) return [];
  return secretAt.flatMap((index) => {
    const name = columns.columns[index];
    return name === undefined ? [] : [name.toLowerCase()];
  });
}

/** Words a `(` may follow that name no relation: a condition's or a clause's. */
const NOT_RELATIONS = new Set([
  'and',
  'or',
  'not',
  'on',
  'when',
  'then',
  'else',
  'where',
  'in',
  'is',
  'using',
  'values',
  'exists',
  'having',
  'by',
  'select',
  'from',
  'join',
  'lateral',
]);

/** Whether a token may be a relation's alias or a CTE's name. */
function isAlias(t: SqlToken | undefined): boolean {
  return t?.kind === 'ident' && !NOT_RELATIONS.has(t.text);
}
