// A MySQL/MariaDB lexer, just deep enough to read statement text as the server will: it splits a
// multi-statement string at top-level semicolons, and it unwraps executable comments (`/*! ... */`,
// `/*!50001 ... */`, MariaDB's `/*M! ... */`), whose content the server RUNS, while node-sql-parser
// takes them for comments. Ordinary comments become a space. Strings follow the default sql_mode
// (backslash escapes, "..." as a string); the modes that change that are pinned (pinned-settings.ts).
// Version-gated executable comments are unwrapped whatever their version: a statement may then be
// judged on more than the server runs, never on less.

export type TokenKind = 'word' | 'string' | 'ident' | 'var' | 'punct' | 'number';

export interface Token {
  readonly kind: TokenKind;
  /** Lower-cased for words and variables; the unescaped content for strings and quoted identifiers. */
  readonly text: string;
}

export interface LexedStatement {
  /** The statement as the server reads it: executable comments unwrapped, comments a space. */
  readonly text: string;
  readonly tokens: readonly Token[];
  /** Where `text` holds plain literals (see PLAIN_STRING), for the classifier's shape cache. */
  readonly literals: readonly LiteralSpan[];
}

/** A literal in a statement's text: [start, end) including the quotes. */
export interface LiteralSpan {
  readonly start: number;
  readonly end: number;
  readonly kind: 'string' | 'number';
}

export interface LexResult {
  readonly statements: LexedStatement[];
  /** An unterminated string, identifier or comment: the server would reject the text; Vigil cannot read it. */
  readonly unterminated: boolean;
}

const WORD = /[A-Za-z0-9_$\u0080-\uffff]/;
/**
 * A single-quoted string body whose content cannot change how any reader splits the text: no
 * quote, no backslash, no comment or statement punctuation; letters, digits and a few harmless marks.
 */
const PLAIN_STRING = /^[\p{L}\p{N} _.,:@+\-/%=]*$/u;
/** A plain decimal integer, short enough that no reader takes it for anything else. */
const PLAIN_NUMBER = /^\d{1,9}$/;

export function lexMysql(sql: string): LexResult {
  const statements: LexedStatement[] = [];
  let out = '';
  let tokens: Token[] = [];
  let literals: LiteralSpan[] = [];
  let inExecutable = false;
  let i = 0;
  const n = sql.length;
  const endStatement = () => {
    if (tokens.length > 0) {
      const lead = out.length - out.trimStart().length;
      statements.push({
        text: out.trim(),
        tokens,
        literals: literals.map((l) => ({ ...l, start: l.start - lead, end: l.end - lead })),
      });
    }
    out = '';
    tokens = [];
    literals = [];
  };
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === "'" || c === '"' || c === '`') {
      const end = quotedEnd(sql, i, c);
      if (end === -1) return { statements, unterminated: true };
      if (c === "'" && PLAIN_STRING.test(sql.slice(i + 1, end - 1)))
        literals.push({ start: out.length, end: out.length + end - i, kind: 'string' });
      out += sql.slice(i, end);
      tokens.push({ kind: c === '`' ? 'ident' : 'string', text: unquote(sql.slice(i + 1, end - 1), c) });
      i = end;
      continue;
    }
    if (c === '/' && next === '*') {
      const bang = sql[i + 2] === '!' ? 3 : sql[i + 2] === 'M' && sql[i + 3] === '!' ? 4 : 0;
      if (bang > 0 && !inExecutable) {
        // The content is code; an optional 5- or 6-digit version follows the marker.
        let j = i + bang;
        const digits = /^\d{5,6}/.exec(sql.slice(j, j + 6));
        if (digits) j += digits[0].length;
        inExecutable = true;
        out += ' ';
        i = j;
        continue;
      }
      const end = sql.indexOf('*/', i + 2);
      if (end === -1) return { statements, unterminated: true };
      out += ' ';
      i = end + 2;
      continue;
    }
    if (c === '*' && next === '/' && inExecutable) {
      inExecutable = false;
      out += ' ';
      i += 2;
      continue;
    }
    if (c === '#' || (c === '-' && next === '-' && (i + 2 >= n || /[\s\x00-\x1f]/.test(sql[i + 2]!)))) {
      const end = sql.indexOf('\n', i);
      out += ' ';
      i = end === -1 ? n : end + 1;
      continue;
    }
    // A semicolon inside an executable comment ends the statement as well: Vigil judges both
    // halves, whichever way the server splits them.
    if (c === ';') {
      endStatement();
      i++;
      continue;
    }
    if (c === '@') {
      let j = i + 1;
      if (sql[j] === '@') j++;
      while (j < n && (WORD.test(sql[j]!) || sql[j] === '.')) j++;
      tokens.push({ kind: 'var', text: sql.slice(i, j).toLowerCase() });
      out += sql.slice(i, j);
      i = j;
      continue;
    }
    if (WORD.test(c)) {
      let j = i + 1;
      while (j < n && WORD.test(sql[j]!)) j++;
      const word = sql.slice(i, j);
      if (PLAIN_NUMBER.test(word))
        literals.push({ start: out.length, end: out.length + word.length, kind: 'number' });
      tokens.push({ kind: /^\d/.test(word) ? 'number' : 'word', text: word.toLowerCase() });
      out += word;
      i = j;
      continue;
    }
    if (!/\s/.test(c)) {
      // `:=` is one operator.
      if (c === ':' && next === '=') {
        tokens.push({ kind: 'punct', text: ':=' });
        out += ':=';
        i += 2;
        continue;
      }
      tokens.push({ kind: 'punct', text: c });
    }
    out += c;
    i++;
  }
  if (inExecutable) return { statements, unterminated: true };
  endStatement();
  return { statements, unterminated: false };
}

/** The index just past the closing quote, or -1. Backslash escapes and doubled quotes, as the server reads them. */
function quotedEnd(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === '\\' && quote !== '`') {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return -1;
}

function unquote(body: string, quote: string): string {
  const doubled = body.split(quote + quote).join(quote);
  return quote === '`' ? doubled : doubled.replace(/\\(.)/gs, (_, ch: string) => ch);
}
