// The secret column a parenthesised operand compares, found for every group of a statement in one
// pass: `coalesce(password, '') = '…'`, `nullif('x', password)`, `trim(both ' ' from password)`,
// `lower(trim(password))`. A call compares what its arguments give, and a function of a secret
// column is as secret as the column (the value it is compared with is the password, or something
// made from it), so a value compared with a call whose arguments name a secret column (at any depth,
// outside a subquery) is bound to that column. Until 6 December only a call of one argument naming
// the column at its own level was read, and `'…' = coalesce(password, '')` not at all. Read per
// operator by scanning the group before it, nested groups made a statement quadratic; here each
// group's column is known before any operator is read.
//
// A measure of the column is not its value: `length(password) > 8`, `count(password) = 0`,
// `STRCMP(password, '…') = 0` compare a number the column gives, and the 8, the 0 stay readable
// (masked until 6 December). Such a group's column is given apart (`measured`), so a reader binds
// what a measure is compared with only when it could be the secret (sql-comparisons.ts).
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
/**
 * Functions whose result measures or locates their arguments rather than giving their text: a
 * length, a count, a comparison's sign or a position (`STRCMP`, `INSTR`, `LOCATE`, `strpos`), a
 * match's truth. A function of the text (`lower`, `md5`, `crypt`, `substr`) is not one: the value
 * compared with it is the secret or made from it.
 */
const MEASURES = new Set([
  'length',
  'char_length',
  'character_length',
  'octet_length',
  'bit_length',
  'len',
  'datalength',
  'pg_column_size',
  'count',
  'strcmp',
  'instr',
  'locate',
  'position',
  'strpos',
  'find_in_set',
  'field',
  'regexp_instr',
  'regexp_like',
  'starts_with',
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
  /** The secret column the group names only through a measure of it (`length(password)`), or null. */
  readonly measured: readonly (string | null)[];
  /** For a subquery, the secret column its select list names (`(SELECT password FROM u …)`), or null. */
  readonly selected: readonly (string | null)[];
}

/** Words that end a subquery's select list at its own level. */
const LIST_END = new Set(['from', 'where', 'group', 'having', 'order', 'limit', 'into', 'window']);

/** Each group's secret column and shape, in one pass over the tokens. */
export function operandGroups(
  tokens: readonly SqlToken[],
  secret: (column: string) => boolean,
): OperandGroups {
  const column: (string | null)[] = new Array<string | null>(tokens.length).fill(null);
  const query = new Uint8Array(tokens.length);
  const comma = new Uint8Array(tokens.length);
  const measured: (string | null)[] = new Array<string | null>(tokens.length).fill(null);
  const selected: (string | null)[] = new Array<string | null>(tokens.length).fill(null);
  // 1 while a subquery's own level is in a select list (each branch's), 0 elsewhere.
  const listing = new Uint8Array(tokens.length);
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
        if (parent < 0) continue;
        // A subquery gives what its select list names (`coalesce((SELECT password …), '')`), not
        // the columns of its WHERE.
        const given = query[top] === 1 ? selected[top] : column[top];
        if (query[parent] === 1) {
          if (listing[parent] === 1 && !isMeasure(tokens, top)) selected[parent] ??= given ?? null;
        } else if (isMeasure(tokens, top)) measured[parent] ??= given ?? measured[top] ?? null;
        else {
          column[parent] ??= given ?? null;
          if (query[top] === 0) measured[parent] ??= measured[top] ?? null;
        }
      } else if (t.text === ',' && top >= 0) comma[top] = 1;
      continue;
    }
    if (t.kind !== 'ident' || top < 0) continue;
    if ((t.text === 'select' || t.text === 'from') && !isCall(tokens, top)) {
      query[top] = 1;
      listing[top] = t.text === 'select' ? 1 : 0;
    } else if (listing[top] === 1 && LIST_END.has(t.text)) listing[top] = 0;
    else if (tokens[q + 1]?.text !== '(' && secret(t.name ?? t.text)) {
      column[top] ??= t.name ?? t.text;
      if (listing[top] === 1) selected[top] ??= t.name ?? t.text;
    }
  }
  return { column, query, comma, measured, selected };
}

/** Whether the `(` at `open` holds the arguments of a measure (`length(`, `strcmp(`). */
function isMeasure(tokens: readonly SqlToken[], open: number): boolean {
  return isCall(tokens, open) && MEASURES.has(tokens[open - 1]!.text) && tokens[open - 2]?.text !== '.';
}

/** Whether the `(` at `open` holds a function's arguments (`coalesce(`, `lower(`), not a row or condition. */
export function isCall(tokens: readonly SqlToken[], open: number): boolean {
  const name = tokens[open - 1];
  return name?.kind === 'ident' && !NOT_A_FUNCTION.has(name.text);
}

/**
 * The secret column compared by the group whose `(` is `open`: a call's arguments name it (at any
 * depth), or a parenthesised operand does (`(u.password)`), or a subquery's select list does
 * (`(SELECT password FROM u …) = '…'`, since 6 December). A row (`(name, password)`, bound by
 * position in sql-rows.ts) compares no single column here.
 */
export function groupColumn(
  tokens: readonly SqlToken[],
  groups: OperandGroups,
  open: number,
): GroupOperand | null {
  if (open < 0) return null;
  if (groups.query[open] === 1) {
    const name = groups.selected[open] ?? null;
    return name === null ? null : { name, measured: false };
  }
  if (!isCall(tokens, open) && groups.comma[open] === 1) return null;
  const column = groups.column[open] ?? null;
  if (isMeasure(tokens, open)) {
    const name = column ?? groups.measured[open] ?? null;
    return name === null ? null : { name, measured: true };
  }
  if (column !== null) return { name: column, measured: false };
  const name = groups.measured[open] ?? null;
  return name === null ? null : { name, measured: true };
}

/** A secret column an operand compares: its value, or only a measure of it (`length(password)`). */
export interface GroupOperand {
  readonly name: string;
  readonly measured: boolean;
}

/**
 * The secret column the group after IN whose `(` is `open` names: an element of a list (`'…' IN
 * (password, name)`), or a subquery's select list (`'…' IN (SELECT password FROM u)`); or null.
 */
export function listColumn(groups: OperandGroups, open: number): string | null {
  return (groups.query[open] === 1 ? groups.selected[open] : groups.column[open]) ?? null;
}
