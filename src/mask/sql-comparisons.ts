// Values compared with a secret-named column: `password = '…'`, and every other way SQL compares a
// value with a column, which a WHERE that looks a user up by a secret writes as often: ordering
// (`<`, `>=`), MySQL's null-safe `<=>`, PostgreSQL's `~` family and `IS [NOT] DISTINCT FROM`,
// `[NOT] LIKE | ILIKE | REGEXP | RLIKE | SIMILAR TO`, `[NOT] BETWEEN … AND …`, `[NOT] IN (…)`, with
// the column written first or last (`'…' = password`), cast (`password::text = '…'`) or passed to a
// function (`lower(password) = '…'`). Until 6 December only `= <> != LIKE ILIKE IN` with the column
// first were read, and a password looked up any other way was recorded as typed.
import type { BindFrom } from './sql-clauses.js';
import type { SqlToken } from './sql-tokens.js';

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
  bindFrom: BindFrom,
): void {
  const opener = openers(match);
  const leftColumn = (k: number) => secretBefore(tokens, k, match, opener, secret);
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind === 'op') {
      if (!OPERATORS.has(t.text)) continue;
      const left = leftColumn(k);
      if (left !== null) {
        bindFrom(k + 1, left);
        continue;
      }
      // The value first: `'…' = password`, `$1 = u.password`.
      const right = columnAfter(tokens, k + 1);
      if (right !== null && secret(right.name)) {
        const start = valueStart(tokens, k, opener);
        if (start !== null) bindFrom(start, right.name);
      }
      continue;
    }
    if (t.kind !== 'ident') continue;
    const negated = tokens[k - 1]?.kind === 'ident' && tokens[k - 1]!.text === 'not';
    const subject = negated ? k - 1 : k;
    if (WORDS.has(t.text)) {
      const column = leftColumn(subject);
      if (column !== null) bindFrom(k + 1, column);
    } else if (t.text === 'similar' && tokens[k + 1]?.text === 'to') {
      const column = leftColumn(subject);
      if (column !== null) bindFrom(k + 2, column);
    } else if (t.text === 'in') {
      const column = leftColumn(subject);
      if (column === null) continue;
      // Each element of the list.
      let r = tokens[k + 1]?.text === '(' ? k + 2 : k + 1;
      for (;;) {
        r = bindFrom(r, column);
        if (tokens[r]?.text !== ',') break;
        r++;
      }
    } else if (t.text === 'between') {
      const column = leftColumn(subject);
      if (column === null) continue;
      const from =
        tokens[k + 1]?.text === 'symmetric' || tokens[k + 1]?.text === 'asymmetric' ? k + 2 : k + 1;
      const end = bindFrom(from, column);
      if (tokens[end]?.text === 'and') bindFrom(end + 1, column);
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
      if (column !== null) bindFrom(k + 2, column);
    }
  }
}

/** The `(` of each `)`, from the `)` of each `(`. */
function openers(match: Int32Array): Int32Array {
  const opener = new Int32Array(match.length).fill(-1);
  for (let q = 0; q < match.length; q++) if (match[q]! >= 0) opener[match[q]!] = q;
  return opener;
}

/**
 * The secret column compared by the operand that ends just before token `k`, or null: a column
 * (qualified or not), cast (`password::text`, `CAST` is a function here), or a parenthesised group
 * or a call of one argument that names one at its own level (`lower(password)`, `(u.password)`).
 */
function secretBefore(
  tokens: readonly SqlToken[],
  k: number,
  match: Int32Array,
  opener: Int32Array,
  secret: (column: string) => boolean,
): string | null {
  const end = beforeCasts(tokens, k - 1, opener);
  const t = tokens[end];
  if (t === undefined) return null;
  if (t.kind === 'ident') {
    const name = t.name ?? t.text;
    return secret(name) ? name : null;
  }
  if (t.kind !== 'punct' || t.text !== ')' || opener[end]! < 0) return null;
  for (let q = opener[end]! + 1; q < end; q++) {
    const inner = tokens[q]!;
    // A nested group is someone else's operand (a subquery, an argument's own call).
    if (inner.kind === 'punct' && inner.text === '(') {
      if (match[q]! < 0) return null;
      q = match[q]!;
      continue;
    }
    // A row (`SET (name, password) = (…)`) is bound by position (sql-rows.ts); a subquery is not a column.
    if (inner.text === ',' || (inner.kind === 'ident' && (inner.text === 'select' || inner.text === 'from')))
      return null;
    if (inner.kind === 'ident' && secret(inner.name ?? inner.text) && tokens[q + 1]?.text !== '(')
      return inner.name ?? inner.text;
  }
  return null;
}

/** Steps back over `::type` casts (`::varchar(64)` too) that end at token `k`. */
function beforeCasts(tokens: readonly SqlToken[], k: number, opener: Int32Array): number {
  let end = k;
  for (;;) {
    let typeEnd = end;
    if (tokens[typeEnd]?.text === ')' && opener[typeEnd]! > 0) typeEnd = opener[typeEnd]! - 1;
    if (tokens[typeEnd]?.kind === 'ident' && tokens[typeEnd - 1]?.text === '::') end = typeEnd - 2;
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
