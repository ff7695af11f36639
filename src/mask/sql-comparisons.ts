// Values compared with a secret-named column: `password = '…'`, and every other way SQL compares a
// value with a column, which a WHERE that looks a user up by a secret writes as often: ordering
// (`<`, `>=`), MySQL's null-safe `<=>`, PostgreSQL's `~` family and `IS [NOT] DISTINCT FROM`,
// `[NOT] LIKE | ILIKE | REGEXP | RLIKE | SIMILAR TO`, `[NOT] BETWEEN … AND …`, `[NOT] IN (…)`, with
// the column written first or last (`'…' = password`), cast (`password::text = '…'`) or passed to a
// function (`lower(password) = '…'`). Until 6 December only `= <> != LIKE ILIKE IN` with the column
// first were read, and a password looked up any other way was recorded as typed. Since 6 December
// also: a call of several arguments around the column (`coalesce(password, '') = '…'`,
// sql-operand-groups.ts), a subquery's select lists after IN (sql-subquery-lists.ts), and the VALUES
// an alias's column brings to one (`SET password = v.p FROM (VALUES …) v(n, p)`, sql-values-aliases.ts).
// Also since 6 December: the arguments of a call that compares them with a secret column
// (`STRCMP(password, '…') = 0`, `LOCATE('…', password)`), a value compared with a list naming one
// (`'…' IN (password, name)`, `= ANY (ARRAY[password, name])`), a subquery's select list compared
// as a whole (`(SELECT password FROM u …) = '…'`, `'…' IN (SELECT password …)`); and a number
// compared with a measure of one (`length(password) > 8`) is no longer bound (sql-operand-groups.ts).
import type { BindFrom } from './sql-clauses.js';
import { bindList } from './sql-lists.js';
import {
  type GroupOperand,
  groupColumn,
  listColumn,
  type OperandGroups,
  operandGroups,
} from './sql-operand-groups.js';
import { openers } from './sql-parens.js';
import { bindSubqueryList } from './sql-subquery-lists.js';
import type { SqlToken } from './sql-tokens.js';
import { bindValuesAliases, ReferenceRecorder } from './sql-values-aliases.js';

/** Operators that compare their two sides (sql-tokens.ts emits each as one `op` token). */
const OPERATORS = new Set([
  '=',
  '==',
  '<>',
  '!=',
  '<',
  '>',
  '<=',
  '>=',
  '<=>',
  '~',
  '~*',
  '!~',
  '!~*',
  '~~',
  '~~*',
  '!~~',
  '!~~*',
]);
/**
 * Functions that compare their arguments with one another: each argument of one that names a
 * secret column is bound to it (`STRCMP(password, '…')`, `FIELD(password, 'a', '…')`,
 * `INSTR(password, '…')`, `nullif(password, '…') IS NULL`).
 */
const COMPARING_CALLS = new Set([
  'strcmp',
  'nullif',
  'instr',
  'locate',
  'position',
  'strpos',
  'find_in_set',
  'field',
  'regexp_like',
  'regexp_instr',
  'starts_with',
  // The larger or smaller of their arguments (`greatest(password, '…') = password`): the value
  // beside the column is compared with it, and may be what the call gives (since 6 December).
  'greatest',
  'least',
]);
/** Words between an operator and a list or subquery it compares with each element of. */
const QUANTIFIERS = new Set(['any', 'all', 'some']);
/** Words that compare the column before them with the value after them (`NOT` may stand between). */
const WORDS = new Set(['like', 'ilike', 'regexp', 'rlike', 'glob']);

/**
 * Binds, through `bindFrom`, each value compared with a column for which `secret(column)` holds.
 * `match` gives the `)` of each `(`, `cases` the END of each CASE (sql-parens.ts).
 */
export function comparisonSecrets(
  tokens: readonly SqlToken[],
  match: Int32Array,
  cases: Int32Array,
  secret: (column: string) => boolean,
  bindValue: BindFrom,
): void {
  // A value that is a column reference (`SET password = v.p`) binds the VALUES it names afterwards.
  const recorder = new ReferenceRecorder(tokens, bindValue);
  const bindFrom = recorder.bind;
  const opener = openers(match);
  const groups = operandGroups(tokens, secret);
  const leftColumn = (k: number) => secretBefore(tokens, k, opener, groups, secret);
  // What a measure of a secret column is compared with (`length(password) > 8`) is bound unless it
  // is a lone number or parameter: a string there (`= length('…')`, `> '…'`) may be the secret.
  const bindOperand = (from: number, operand: GroupOperand): number => {
    const t = tokens[from];
    if (operand.measured && (t?.kind === 'number' || t?.kind === 'param')) {
      const end = bindValue(from, '');
      if (end === from + 1) return end;
    }
    return bindFrom(from, operand.name);
  };
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind === 'op') {
      if (!OPERATORS.has(t.text)) continue;
      const left = leftColumn(k);
      if (left !== null) {
        bindOperand(k + 1, left);
        continue;
      }
      // The value first: `'…' = password`, `$1 = u.password`, `'…' = coalesce(password, '')`,
      // `'…' = ANY (ARRAY[password, name])` (the lexer drops brackets), `= ANY (SELECT password …)`.
      const quantified = QUANTIFIERS.has(tokens[k + 1]?.text ?? '') && tokens[k + 2]?.text === '(';
      const listed = quantified ? listColumn(groups, k + 2) : null;
      const right =
        listed !== null ? { name: listed, measured: false } : secretAfter(tokens, k + 1, groups, secret);
      if (right !== null) {
        const start = valueStart(tokens, k, opener);
        // `8 < length(password)`: a lone number or parameter ends at the operator.
        const lone = start === k - 1 && (tokens[start]!.kind === 'number' || tokens[start]!.kind === 'param');
        if (start !== null && !(right.measured && lone)) bindFrom(start, right.name, k);
      }
      continue;
    }
    if (t.kind !== 'ident') continue;
    if (COMPARING_CALLS.has(t.text) && tokens[k + 1]?.text === '(' && tokens[k - 1]?.text !== '.') {
      // Each argument of a comparing call is bound to the secret column one of them names; the
      // call's own arguments are read at their level once (nested groups stepped over).
      const column = groups.query[k + 1] === 1 ? null : (groups.column[k + 1] ?? null);
      if (column !== null) bindList(tokens, match, k + 2, () => column, bindFrom);
      continue;
    }
    const negated = tokens[k - 1]?.kind === 'ident' && tokens[k - 1]!.text === 'not';
    const subject = negated ? k - 1 : k;
    if (WORDS.has(t.text)) {
      const column = leftColumn(subject);
      if (column !== null) bindOperand(k + 1, column);
    } else if (t.text === 'similar' && tokens[k + 1]?.text === 'to') {
      const column = leftColumn(subject);
      if (column !== null) bindOperand(k + 2, column);
    } else if (t.text === 'in') {
      const column = leftColumn(subject);
      if (column === null) {
        // A value compared with a list or a subquery naming a secret column: `'…' IN (password,
        // name)`, `'…' IN (SELECT password FROM u)`.
        const list = tokens[k + 1]?.text === '(' ? listColumn(groups, k + 1) : null;
        const start = list ? valueStart(tokens, subject, opener) : null;
        if (list && start !== null) bindFrom(start, list, subject);
        continue;
      }
      const bindElement: BindFrom = (from) => bindOperand(from, column);
      // The select lists of a subquery (sql-subquery-lists.ts), else each element of the list.
      if (tokens[k + 1]?.text === '(' && bindSubqueryList(tokens, match, k + 1, column.name, bindElement))
        continue;
      let r = tokens[k + 1]?.text === '(' ? k + 2 : k + 1;
      for (;;) {
        r = bindElement(r, column.name);
        if (tokens[r]?.text !== ',') break;
        r++;
      }
    } else if (t.text === 'between') {
      const column = leftColumn(subject);
      if (column === null) continue;
      const from =
        tokens[k + 1]?.text === 'symmetric' || tokens[k + 1]?.text === 'asymmetric' ? k + 2 : k + 1;
      const end = bindOperand(from, column);
      if (tokens[end]?.text === 'and') bindOperand(end + 1, column);
    } else if (t.text === 'case') {
      // A simple CASE on a secret column compares it with each WHEN value: `CASE password WHEN '…'`.
      const subject = columnAfter(tokens, k + 1);
      if (subject === null || !secret(subject.name)) continue;
      // Its WHEN follows the subject (`u.password`: at most three tokens); looked for no further.
      let q = k + 1;
      while (q <= k + 4 && tokens[q] !== undefined && tokens[q]!.text !== 'when') q++;
      if (tokens[q]?.text !== 'when') continue;
      // A CASE nested in it is stepped over in one move (read by its own turn of this loop).
      const end = cases[k]! >= 0 ? cases[k]! : tokens.length;
      for (; q < end; q++) {
        const w = tokens[q]!;
        if (w.kind !== 'ident') continue;
        if (w.text === 'case' && cases[q]! >= 0) q = cases[q]!;
        else if (w.text === 'when') bindFrom(q + 1, subject.name);
      }
    } else if (t.text === 'distinct' && tokens[k + 1]?.text === 'from') {
      // col IS [NOT] DISTINCT FROM value
      let is = k - 1;
      if (tokens[is]?.text === 'not') is--;
      if (tokens[is]?.text !== 'is') continue;
      const column = leftColumn(is);
      if (column !== null) bindOperand(k + 2, column);
    }
  }
  bindValuesAliases(tokens, match, recorder.references, bindValue);
}

/**
 * The secret column compared by the operand that ends just before token `k`, or null: a column
 * (qualified or not), cast (`password::text`, `CAST` is a function here), or a parenthesised group
 * or a call that names one (`lower(password)`, `coalesce(password, '')`, `(u.password)`; see
 * sql-operand-groups.ts).
 */
function secretBefore(
  tokens: readonly SqlToken[],
  k: number,
  opener: Int32Array,
  groups: OperandGroups,
  secret: (column: string) => boolean,
): GroupOperand | null {
  const end = beforeCasts(tokens, k - 1, opener);
  const t = tokens[end];
  if (t === undefined) return null;
  if (t.kind === 'ident') {
    const name = t.name ?? t.text;
    return secret(name) ? { name, measured: false } : null;
  }
  if (t.kind !== 'punct' || t.text !== ')' || opener[end]! < 0) return null;
  return groupColumn(tokens, groups, opener[end]!);
}

/**
 * Steps back over `::type` casts (`::varchar(64)` too) and `COLLATE name` clauses (`password
 * COLLATE "C" = '…'`, `COLLATE pg_catalog."default"`; recorded as typed until 6 December) that end
 * at token `k`.
 */
function beforeCasts(tokens: readonly SqlToken[], k: number, opener: Int32Array): number {
  let end = k;
  for (;;) {
    let typeEnd = end;
    if (tokens[typeEnd]?.text === ')' && opener[typeEnd]! > 0) typeEnd = opener[typeEnd]! - 1;
    if (tokens[typeEnd]?.kind === 'ident' && tokens[typeEnd - 1]?.text === '::') {
      end = typeEnd - 2;
      continue;
    }
    let name = end;
    while (
      tokens[name]?.kind === 'ident' &&
      tokens[name - 1]?.text === '.' &&
      tokens[name - 2]?.kind === 'ident'
    )
      name -= 2;
    if (tokens[name]?.kind === 'ident' && tokens[name - 1]?.text === 'collate') end = name - 2;
    else return end;
  }
}

/** The column named from token `k` on (`password`, `u.password`), when nothing but a value end follows it. */
function columnAfter(tokens: readonly SqlToken[], k: number): { name: string } | null {
  let q = k;
  while (tokens[q]?.kind === 'ident' && tokens[q + 1]?.text === '.' && tokens[q + 2]?.kind === 'ident')
    q += 2;
  const t = tokens[q];
  if (t === undefined || t.kind !== 'ident' || tokens[q + 1]?.text === '(') return null;
  return { name: t.name ?? t.text };
}

/** The secret column compared by the operand from token `k` on: a column, a call naming one, or a group. */
function secretAfter(
  tokens: readonly SqlToken[],
  k: number,
  groups: OperandGroups,
  secret: (column: string) => boolean,
): GroupOperand | null {
  const t = tokens[k];
  if (t?.kind === 'punct' && t.text === '(') return groupColumn(tokens, groups, k);
  if (t?.kind === 'ident' && tokens[k + 1]?.text === '(') return groupColumn(tokens, groups, k + 1);
  const right = columnAfter(tokens, k);
  return right !== null && secret(right.name) ? { name: right.name, measured: false } : null;
}

/** Where the value that ends just before the operator at `k` starts: a literal, a parameter or a group. */
function valueStart(tokens: readonly SqlToken[], k: number, opener: Int32Array): number | null {
  const end = beforeCasts(tokens, k - 1, opener);
  const t = tokens[end];
  if (t === undefined) return null;
  if (t.kind === 'string' || t.kind === 'number' || t.kind === 'param') return end;
  if (t.kind === 'punct' && t.text === ')' && opener[end]! >= 0) {
    // A function's arguments (`crypt('…', salt) = password`) or a parenthesised value.
    const open = opener[end]!;
    return tokens[open - 1]?.kind === 'ident' ? open - 1 : open;
  }
  return null;
}
