// SQL text as tokens, read as PostgreSQL reads it (`standard`) or as MySQL and MariaDB do by
// default (`mysql`): a backslash escapes the next character in every quoted string, `"…"` is a
// string rather than a quoted identifier, and `#` starts a comment. The masker does not know which
// server a statement goes to, and the two readings part where a string holds a backslash
// (`'O\'Brien'`, which mysql2 writes for a value with a quote): read the PostgreSQL way, the strings
// after it slipped by one, and a password bound to a column was read as words and recorded as typed
// until 6 December. Callers that bind values read both where they differ (sql-columns.ts).

/** How a statement's quoted strings are read: as PostgreSQL reads them, or as MySQL does by default. */
export type SqlReading = 'standard' | 'mysql';

const MAX_STATEMENT = 1_000_000;

/**
 * A comparison operator at the start of the text: the longest of PostgreSQL's and MySQL's that
 * sql-comparisons.ts reads (`<=>`, the `~` family), else the one character.
 */
const OPERATOR = /^(?:<=>|<>|<=|>=|!=|==|!?~~?\*?|[<>!=])/;

/** Whether the `mysql` reading of `sql` can differ from its `standard` one. */
export function readingsDiffer(sql: string): boolean {
  return /[\\"#]/.test(sql);
}

export type StringQuote = 'plain' | 'escape' | 'double-escape' | 'dollar';

type Kind = 'ident' | 'string' | 'number' | 'param' | 'op' | 'punct';

export interface SqlToken {
  readonly kind: Kind;
  /** Identifiers lower-cased and unquoted; operators as written. */
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** For a parameter, its number. */
  readonly param?: number;
  /**
   * A quoted identifier as written: its case names its words (`"ApiToken"` is api, token), which
   * the lower-cased text loses (`apitoken` names nothing), so a column is judged by this name.
   */
  readonly name?: string;
  /**
   * For a string, how its content is escaped: doubled quotes, also backslashes (E'', and every
   * quoted string in MySQL's reading, `escape` or `double-escape` for `"…"`), or none ($$).
   */
  readonly quote?: StringQuote;
}

/**
 * The last statement read, and its tokens: several readers of one statement (the bindings, the
 * derived columns, the code a rule's match may not cover) each ask for the same tokens in turn.
 * Callers never change the array they are given.
 */
let last: { readonly sql: string; readonly reading: SqlReading; readonly tokens: SqlToken[] } | null = null;

export function tokenizeSql(sql: string, reading: SqlReading = 'standard'): SqlToken[] {
  if (last !== null && last.reading === reading && last.sql === sql) return last.tokens;
  const tokens = readTokens(sql, reading);
  last = { sql, reading, tokens };
  return tokens;
}

function readTokens(sql: string, reading: SqlReading): SqlToken[] {
  const mysql = reading === 'mysql';
  const out: SqlToken[] = [];
  const n = Math.min(sql.length, MAX_STATEMENT);
  let question = 0;
  let i = 0;
  while (i < n) {
    const ch = sql[i]!;
    const next = sql[i + 1];
    if (ch === '-' && next === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
    } else if (ch === '/' && next === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
    } else if (mysql && ch === '#') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
    } else if (ch === "'" || ((ch === 'E' || ch === 'e') && next === "'") || (mysql && ch === '"')) {
      const q = ch === "'" || ch === '"' ? i : i + 1;
      const mark = sql[q]!;
      const backslash = mysql || q !== i;
      let j = q + 1;
      while (j < n) {
        if (backslash && sql[j] === '\\') j += 2;
        else if (sql[j] === mark && sql[j + 1] === mark) j += 2;
        else if (sql[j] === mark) break;
        else j++;
      }
      out.push({
        kind: 'string',
        text: '',
        start: q + 1,
        end: Math.min(j, n),
        quote: mark === '"' ? 'double-escape' : backslash ? 'escape' : 'plain',
      });
      i = j + 1;
    } else if (ch === '$' && /[0-9]/.test(next ?? '')) {
      let j = i + 1;
      while (j < n && /[0-9]/.test(sql[j]!)) j++;
      out.push({
        kind: 'param',
        text: sql.slice(i, j),
        start: i,
        end: j,
        param: Number(sql.slice(i + 1, j)),
      });
      i = j;
    } else if (ch === '$') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        const end = close < 0 ? n : close;
        out.push({ kind: 'string', text: '', start: i + tag[0].length, end, quote: 'dollar' });
        i = close < 0 ? n : close + tag[0].length;
      } else i++;
    } else if (ch === '?') {
      question++;
      out.push({ kind: 'param', text: '?', start: i, end: i + 1, param: question });
      i++;
    } else if (ch === '"' || ch === '`') {
      let j = i + 1;
      let name = '';
      while (j < n) {
        if (sql[j] === ch && sql[j + 1] === ch) {
          name += ch;
          j += 2;
        } else if (sql[j] === ch) break;
        else name += sql[j++];
      }
      out.push({ kind: 'ident', text: name.toLowerCase(), start: i, end: j + 1, name });
      i = j + 1;
    } else if (/[A-Za-z_\u0080-\uffff]/.test(ch)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[j]!)) j++;
      out.push({ kind: 'ident', text: sql.slice(i, j).toLowerCase(), start: i, end: j });
      i = j;
    } else if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(next ?? ''))) {
      let j = i + 1;
      while (j < n && /[0-9.eE_xXa-fA-F]/.test(sql[j]!)) j++;
      out.push({ kind: 'number', text: '', start: i, end: j });
      i = j;
    } else if (ch === '<' || ch === '>' || ch === '!' || ch === '=' || ch === '~') {
      const op = OPERATOR.exec(sql.slice(i, i + 4))![0];
      out.push({ kind: 'op', text: op, start: i, end: i + op.length });
      i += op.length;
    } else if ('(),;.'.includes(ch)) {
      out.push({ kind: 'punct', text: ch, start: i, end: i + 1 });
      i++;
    } else if (ch === ':' && next === ':') {
      out.push({ kind: 'op', text: '::', start: i, end: i + 2 });
      i += 2;
    } else i++;
  }
  return out;
}
