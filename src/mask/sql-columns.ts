// Which values of a SQL statement are bound to which column: literals and bind parameters ($n in
// PostgreSQL, ? in MySQL) in SET assignments and comparisons (WHERE, ON, SET, IN lists), INSERTs
// (sql-insert.ts) and rows (sql-rows.ts). A lexer of our own (sql-tokens.ts) rather than a
// dialect's parser: the masker runs on every dialect's db.query payload, synchronously, and must
// not fail on text a parser refuses (an unknown statement is still masked by the text rules).
// Strings, dollar quotes, quoted identifiers and comments are skipped as PostgreSQL and MySQL read
// them. Values the grammar names secret (PASSWORD '…', IDENTIFIED BY '…', OPTIONS (password '…'))
// are found by sql-clauses.ts.

import { clauseSecrets } from './sql-clauses.js';
import { defaultSecrets } from './sql-column-defaults.js';
import { comparisonSecrets } from './sql-comparisons.js';
import { bindFirstRowNames } from './sql-first-row-names.js';
import { insertSecrets } from './sql-insert.js';
import { matchingCases, matchingParens } from './sql-parens.js';
import { renamedSecrets } from './sql-renamed-secrets.js';
import { rowSecrets } from './sql-rows.js';
import { bindSetBranches } from './sql-set-branches.js';
import {
  readingsDiffer,
  type SqlReading,
  type SqlToken,
  type StringQuote,
  tokenizeSql,
} from './sql-tokens.js';
import { type BoundRange, ValueBinder } from './sql-value-binder.js';

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
  const binder = new ValueBinder(tokens, match, cases);
  const bindFrom = (from: number, column: string, to?: number) =>
    to === undefined ? binder.bind(from, column) : binder.bindBefore(from, to, column);
  // A name the text gives a secret column's value (`password AS p`) is compared as the column is.
  const renamed = renamedSecrets(sql, tokens, match, secret);
  const compared = renamed.size === 0 ? secret : (c: string) => secret(c) || renamed.has(c.toLowerCase());
  comparisonSecrets(tokens, match, cases, compared, bindFrom);
  // A later branch's value under a secret column of the first (`… INTERSECT SELECT 'ann', '…'`).
  bindSetBranches(sql, tokens, match, secret, bindFrom);
  insertSecrets(tokens, match, secret, bindFrom);
  defaultSecrets(tokens, match, secret, bindFrom);
  clauseSecrets(sql, tokens, secret, bindFrom, literals);
  rowSecrets(tokens, secret, bindFrom, match);
  // MariaDB's VALUES columns named after their first row's values (`SET password = t.\`…\``).
  if (binder.ranges.length > 0) bindFirstRowNames(sql, tokens, match, binder.ranges, bindFrom, literals);
  bindRanges(tokens, binder.ranges, params, literals);
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
