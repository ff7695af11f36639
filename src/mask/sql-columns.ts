// Which values of a SQL statement are bound to which column: literals and bind parameters ($n in
// PostgreSQL, ? in MySQL) in SET assignments and comparisons (WHERE, ON, SET, IN lists), INSERTs
// (sql-insert.ts) and rows (sql-rows.ts). A lexer of our own (sql-tokens.ts) rather than a
// dialect's parser: the masker runs on every dialect's db.query payload, synchronously, and must
// not fail on text a parser refuses (an unknown statement is still masked by the text rules).
// Strings, dollar quotes, quoted identifiers and comments are skipped as PostgreSQL and MySQL read
// them. Values the grammar names secret (PASSWORD '…', IDENTIFIED BY '…', OPTIONS (password '…'))
// are found by sql-clauses.ts.
import { clauseSecrets } from './sql-clauses.js';
import { comparisonSecrets } from './sql-comparisons.js';
import { insertSecrets } from './sql-insert.js';
import { matchingCases, matchingParens } from './sql-parens.js';
import { rowSecrets } from './sql-rows.js';
import {
  readingsDiffer,
  type SqlReading,
  type SqlToken,
  type StringQuote,
  tokenizeSql,
} from './sql-tokens.js';

export interface SqlValueSpan {
  /** The literal's content (inside its quotes), in UTF-16 offsets of the statement. */
  readonly start: number;
  readonly end: number;
  readonly column: string;
}

export interface SqlBindings {
  /** 1-based parameter number → column. */
  readonly params: ReadonlyMap<number, string>;
  readonly literals: readonly SqlValueSpan[];
}

const VALUE_END = new Set([
  'and',
  'or',
  'where',
  'from',
  'returning',
  'group',
  'order',
  'limit',
  'having',
  'on',
  'set',
  'values',
  'then',
  'else',
  'end',
  'when',
  'union',
  'select',
]);

/**
 * Attributes the values from token `from` up to a value end (depth 0) to `column`. A CASE is
 * followed into: what its THEN and ELSE branches give is bound, its WHEN conditions are not
 * (`SET password = CASE id WHEN 1 THEN '…' END`, which ORMs write for a bulk update).
 */
function bindValue(
  tokens: readonly SqlToken[],
  match: Int32Array,
  cases: Int32Array,
  from: number,
  column: string,
  ranges: BoundRange[],
  depth = 0,
): number {
  let start = from;
  let k = from;
  for (; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind === 'punct') {
      if (t.text === '(') {
        // A group is stepped over whole (its values are bound by the range); one never closed
        // runs to the end, as a scan of its depth did.
        if (match[k]! < 0) {
          k = tokens.length;
          break;
        }
        k = match[k]!;
      } else if (t.text === ')' || t.text === ',' || t.text === ';') break;
    } else if (t.kind === 'ident' && t.text === 'case') {
      // Past MAX_CASE_DEPTH a CASE is bound whole, conditions too: a statement of nested CASEs
      // must not take the stack.
      if (depth >= MAX_CASE_DEPTH) {
        k = cases[k]! >= 0 ? cases[k]! : tokens.length;
        continue;
      }
      if (column !== '' && k > start) ranges.push({ from: start, to: k, column });
      k = bindCase(tokens, match, cases, k, column, ranges, depth + 1);
      start = k + 1;
    } else if (t.kind === 'ident' && VALUE_END.has(t.text)) break;
  }
  if (column !== '' && k > start) ranges.push({ from: start, to: k, column });
  return k;
}

/** Binds the branches of the CASE at token `at`; returns the index of its END (or the last token). */
function bindCase(
  tokens: readonly SqlToken[],
  match: Int32Array,
  cases: Int32Array,
  at: number,
  column: string,
  ranges: BoundRange[],
  depth: number,
): number {
  let k = at + 1;
  while (k < tokens.length) {
    const t = tokens[k]!;
    if (t.kind === 'ident' && (t.text === 'then' || t.text === 'else')) {
      k = bindValue(tokens, match, cases, k + 1, column, ranges, depth);
      const stop = tokens[k];
      // A branch ends at WHEN, ELSE or END; anything else (`,`, `)`) leaves the CASE unclosed.
      if (stop === undefined || stop.kind !== 'ident' || !CASE_PARTS.has(stop.text)) return k;
      if (stop.text === 'end') return k;
    } else if (t.kind === 'ident' && t.text === 'end') return k;
    else if (t.kind === 'ident' && t.text === 'case') k = cases[k]! >= 0 ? cases[k]! + 1 : tokens.length;
    else if (t.kind === 'punct' && t.text === '(' && match[k]! >= 0) k = match[k]! + 1;
    else k++;
  }
  return tokens.length - 1;
}

const CASE_PARTS = new Set(['when', 'then', 'else', 'end']);
const MAX_CASE_DEPTH = 32;

/** Tokens [from, to) form a value bound to `column`. */
interface BoundRange {
  readonly from: number;
  readonly to: number;
  readonly column: string;
}

/**
 * The literals and parameters inside the bound ranges, in one sweep. Binding them as each value
 * was read made nested values (`password = (password = (…`) quadratic, each read again by every
 * value around it. Ranges are nested or disjoint; a token takes the column of the innermost one,
 * as the last binding of it did.
 */
function bindRanges(
  tokens: readonly SqlToken[],
  ranges: BoundRange[],
  params: Map<number, string>,
  literals: SqlValueSpan[],
): void {
  if (ranges.length === 0) return;
  ranges.sort((a, b) => a.from - b.from || b.to - a.to);
  const open: BoundRange[] = [];
  let next = 0;
  for (let k = 0; k < tokens.length; k++) {
    while (next < ranges.length && ranges[next]!.from === k) open.push(ranges[next++]!);
    while (open.length > 0 && open[open.length - 1]!.to <= k) open.pop();
    if (open.length === 0) {
      if (next >= ranges.length) return;
      continue;
    }
    const t = tokens[k]!;
    const column = open[open.length - 1]!.column;
    if (t.kind === 'param' && t.param !== undefined) params.set(t.param, column);
    else if (t.kind === 'string' || t.kind === 'number')
      literals.push({ start: t.start, end: t.end, column });
  }
}

/**
 * The values of `sql` bound to columns for which `secret(column)` is true. Unknown shapes bind
 * nothing (the text rules still apply to the whole statement). Where MySQL's reading of the
 * quoted strings can differ from PostgreSQL's (sql-tokens.ts) and the server's reading is not
 * known (`both`: a connection whose module does not say, `vigil mask-test`), both are read and what
 * either binds is masked.
 */
export function secretBindings(
  sql: string,
  secret: (column: string) => boolean,
  reading: SqlReading | 'both' = 'both',
  depth = 0,
): SqlBindings {
  if (reading !== 'both') return bindingsIn(sql, reading, secret, depth);
  const standard = bindingsIn(sql, 'standard', secret, depth);
  if (!readingsDiffer(sql)) return standard;
  const mysql = bindingsIn(sql, 'mysql', secret, depth);
  const params = new Map(standard.params);
  for (const [param, column] of mysql.params) if (!params.has(param)) params.set(param, column);
  const seen = new Set(standard.literals.map((l) => `${l.start}:${l.end}`));
  const literals = [...standard.literals, ...mysql.literals.filter((l) => !seen.has(`${l.start}:${l.end}`))];
  return { params, literals };
}

function bindingsIn(
  sql: string,
  reading: SqlReading,
  secret: (column: string) => boolean,
  depth: number,
): SqlBindings {
  const params = new Map<number, string>();
  const literals: SqlValueSpan[] = [];
  const tokens = tokenizeSql(sql, reading);
  const match = matchingParens(tokens);
  const cases = matchingCases(tokens);
  const ranges: BoundRange[] = [];
  const bindFrom = (from: number, column: string) => bindValue(tokens, match, cases, from, column, ranges);
  comparisonSecrets(tokens, match, cases, secret, bindFrom);
  insertSecrets(tokens, match, secret, bindFrom);
  clauseSecrets(sql, tokens, secret, bindFrom, literals);
  rowSecrets(tokens, secret, bindFrom, match);
  bindRanges(tokens, ranges, params, literals);
  if (depth < NESTED_SQL_DEPTH)
    literals.push(...nestedLiterals(sql, tokens, literals, secret, reading, depth));
  return { params, literals };
}

/** How deep SQL in a string in a string ... is read (a DO body's EXECUTE '...', say). */
const NESTED_SQL_DEPTH = 3;
/** What a string must hold before it is read as SQL: a word or operator a binding starts from. */
const SQL_LIKE = /\b(?:into|set|where|password|identified|options|set_config)\b|[=<>]/i;

/**
 * Values bound to secret columns in SQL written inside a string: a DO block's or a function's body
 * (`$$ ... INSERT INTO users(name, password) VALUES ('ann', '...') $$`), the text of MySQL's
 * `PREPARE s FROM '...'`, a dblink text. The string's content is unescaped, read with the same
 * rules, and each value found is mapped back to where it is written in `sql`. Parameters found
 * there are the body's own (a function's arguments), not the statement's: they bind nothing here.
 * A string already bound whole (`password = '...'`) is not read again.
 */
function nestedLiterals(
  sql: string,
  tokens: readonly SqlToken[],
  bound: readonly SqlValueSpan[],
  secret: (column: string) => boolean,
  reading: SqlReading,
  depth: number,
): SqlValueSpan[] {
  const out: SqlValueSpan[] = [];
  const boundStarts = new Set(bound.map((b) => b.start));
  for (const t of tokens) {
    const content = quotedContent(sql, t);
    if (!content || content.end - content.start < 8 || boundStarts.has(content.start)) continue;
    const raw = sql.slice(content.start, content.end);
    if (!SQL_LIKE.test(raw)) continue;
    const { text, begin, finish } = unescaped(raw, content.quote);
    for (const l of secretBindings(text, secret, reading, depth + 1).literals) {
      if (l.end <= l.start) continue;
      const start = content.start + begin(l.start);
      out.push({ start, end: content.start + finish(l.end - 1), column: l.column });
    }
  }
  return out;
}

/**
 * Where a token's quoted content is: a string's, or a double-quoted identifier's, which MySQL reads
 * as a string unless ANSI_QUOTES is set (`PREPARE s FROM "INSERT ..."`).
 */
function quotedContent(sql: string, t: SqlToken): { start: number; end: number; quote: Quote } | null {
  if (t.kind === 'string') return { start: t.start, end: t.end, quote: t.quote ?? 'plain' };
  if (t.kind === 'ident' && sql[t.start] === '"' && t.end - t.start >= 2)
    return { start: t.start + 1, end: t.end - 1, quote: 'double' };
  return null;
}

/** A token's quoting, or a double-quoted identifier read as MySQL's string (`double`). */
type Quote = StringQuote | 'double';

/**
 * A string's content unescaped, and for each of its characters where it begins and ends in the
 * content as written (a doubled quote or a backslash escape is two characters there).
 */
function unescaped(
  raw: string,
  quote: Quote,
): { text: string; begin: (i: number) => number; finish: (i: number) => number } {
  const double = quote === 'double' || quote === 'double-escape';
  const q = double ? '"' : "'";
  const backslash = quote === 'escape' || quote === 'double-escape';
  const escapes = backslash ? (double ? /""|\\[\s\S]/ : /''|\\[\s\S]/) : double ? /""/ : /''/;
  if (quote === 'dollar' || !escapes.test(raw)) return { text: raw, begin: (i) => i, finish: (i) => i + 1 };
  const chars: string[] = [];
  const begin: number[] = [];
  const finish: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    begin.push(i);
    if (raw[i] === q && raw[i + 1] === q) i++;
    else if (backslash && raw[i] === '\\' && i + 1 < raw.length) i++;
    finish.push(i + 1);
    chars.push(raw[i]!);
  }
  return { text: chars.join(''), begin: (i) => begin[i]!, finish: (i) => finish[i]! };
}
