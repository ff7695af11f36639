// The secret column a parenthesised operand compares, found for every group of a statement in one
// pass: `coalesce(password, '') = '…'`, `nullif('x', password)`, `trim(both ' ' from password)`,
// `lower(trim(password))`. A call compares what its arguments give, and a function of a secret
// column is as secret as the column (the value it is compared with is the password, or something
// made from it), so a value compared with a call whose arguments name a secret column (at any depth,
// outside a subquery) is bound to that column. Until 6 December only a call of one argument naming
// the column at its own level was read, and `'…' = coalesce(password, '')` not at all. Read per
// operator by scanning the group before it, nested groups made a statement quadratic; here each
// group's column is known before any operator is read.
import type { SqlToken } from './sql-tokens.js';

/** Words before `(` that make the group a row, a condition or a subquery rather than a call's arguments. */
const NOT_A_FUNCTION = new Set([
  'where',
  'and',
  'or',
  'not',
  'on',
  'set',
  'when',
  'then',
  'else',
  'row',
  'in',
  'values',
  'value',
  'select',
  'by',
  'having',
  'exists',
  'using',
  'as',
  'from',
  'join',
  'into',
  'is',
  'between',
  'like',
  'ilike',
  'return',
  'returning',
  'lateral',
  'any',
  'all',
  'some',
]);
/** Words that open a subquery when they come first in a group. */
const SUBQUERY_START = new Set(['select', 'with', 'values', 'table']);

/** What a group compares, by the index of its `(`. */
export interface OperandGroups {
  /** The secret column the group names anywhere inside (outside subqueries), or null. */
  readonly column: readonly (string | null)[];
  /** 1 where the group is a subquery (`(SELECT …)`) or holds SELECT or FROM at its own level outside a call. */
  readonly query: Uint8Array;
  /** 1 where the group holds a comma at its own level. */
  readonly comma: Uint8Array;
}

/** Each group's secret column and shape, in one pass over the tokens. */
export function operandGroups(
  tokens: readonly SqlToken[],
  secret: (column: string) => boolean,
): OperandGroups {
  const column: (string | null)[] = new Array<string | null>(tokens.length).fill(null);
  const query = new Uint8Array(tokens.length);
  const comma = new Uint8Array(tokens.length);
  // The same stack matchingParens keeps, so a group here is a group there.
  const open: number[] = [];
  for (let q = 0; q < tokens.length; q++) {
    const t = tokens[q]!;
    const top = open.length > 0 ? open[open.length - 1]! : -1;
    if (t.kind === 'punct') {
      if (t.text === '(') {
        open.push(q);
        if (SUBQUERY_START.has(tokens[q + 1]?.text ?? '')) query[q] = 1;
      } else if (t.text === ')' && top >= 0) {
        open.pop();
        const parent = open.length > 0 ? open[open.length - 1]! : -1;
        // A subquery's columns are its own (`coalesce((SELECT password …), '')` is not bound here).
        if (parent >= 0 && column[parent] === null && query[top] === 0) column[parent] = column[top]!;
      } else if (t.text === ',' && top >= 0) comma[top] = 1;
      continue;
    }
    if (t.kind !== 'ident' || top < 0) continue;
    if ((t.text === 'select' || t.text === 'from') && !isCall(tokens, top)) query[top] = 1;
    else if (column[top] === null && tokens[q + 1]?.text !== '(' && secret(t.name ?? t.text))
      column[top] = t.name ?? t.text;
  }
  return { column, query, comma };
}

/** Whether the `(` at `open` holds a function's arguments (`coalesce(`, `lower(`), not a row or condition. */
export function isCall(tokens: readonly SqlToken[], open: number): boolean {
  const name = tokens[open - 1];
  return name?.kind === 'ident' && !NOT_A_FUNCTION.has(name.text);
}

/**
 * The secret column compared by the group whose `(` is `open`: a call's arguments name it (at any
 * depth), or a parenthesised operand does (`(u.password)`). A row (`(name, password)`, bound by
 * position in sql-rows.ts) and a subquery compare no single column here.
 */
export function groupColumn(tokens: readonly SqlToken[], groups: OperandGroups, open: number): string | null {
  if (open < 0 || groups.query[open] === 1) return null;
  if (!isCall(tokens, open) && groups.comma[open] === 1) return null;
  return groups.column[open] ?? null;
}
