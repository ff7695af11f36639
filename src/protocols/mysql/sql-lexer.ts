// A MySQL/MariaDB lexer, just deep enough to read statement text as the server will: it splits a
// multi-statement string at top-level semicolons, and it unwraps executable comments (`/*! ... */`,
// `/*!50001 ... */`, MariaDB's `/*M! ... */`), whose content the server RUNS, while node-sql-parser
// takes them for comments. Ordinary comments become a space. Strings follow the default sql_mode
// (backslash escapes, "..." as a string); the modes that change that are pinned (pinned-settings.ts).
// A version-gated executable comment is read as the server will (version-comments.ts): unwrapped
// when it runs, skipped as a comment when it does not; one whose fate Vigil cannot know marks the
// text uncertain, since judging the content either way could judge another statement than runs.
// Comment rules are the server's too: `--` starts one only before an ASCII space or control
// character. A no-break space outside a string (a space to latin1, part of a name to utf8mb4)
// makes the text uncertain: Vigil does not know which the client's character set is.

import { commentEnd, readVersionComment, type ServerDialect } from './version-comments.js';

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
  /**
   * Why Vigil cannot read the text as the server will (a version-gated comment it cannot tell
   * whether the server runs, a character some client character sets read as a space), or null.
   */
  readonly uncertain: string | null;
}

const WORD = /[A-Za-z0-9_$\u0080-\uffff]/;

/**
 * Whether the character at `i` holds the byte 0xA0 as the server may receive it: U+00A0 read byte
 * for byte, or a UTF-8 character with 0xA0 among its bytes (U+00A0, à = C3 A0, ...). 0xA0 is a
 * space to latin1 (and other single-byte sets), a part of a name to utf8mb4.
 */
function holdsA0(sql: string, i: number): boolean {
  const cp = sql.codePointAt(i)!;
  if (cp < 0x80 || (cp >= 0xdc00 && cp <= 0xdfff)) return false;
  const trail = (shift: number) => ((cp >> shift) & 0x3f) === 0x20;
  if (cp < 0x800) return trail(0);
  if (cp < 0x10000) return trail(0) || trail(6);
  return trail(0) || trail(6) || trail(12);
}

/** A character of a name, unless it may be a space to the server (holdsA0). */
const isWordAt = (sql: string, i: number) => WORD.test(sql[i]!) && !holdsA0(sql, i);
/** After `--`, what makes it a comment: MariaDB's my_isspace or my_iscntrl, ASCII only. */
const DASH_COMMENT_AFTER = /[\x00-\x20\x7f]/;
/**
 * A single-quoted string body whose content cannot change how any reader splits the text: no
 * quote, no backslash, no comment or statement punctuation; letters, digits and a few harmless marks.
 */
const PLAIN_STRING = /^[\p{L}\p{N} _.,:@+\-/%=]*$/u;
/** A plain decimal integer, short enough that no reader takes it for anything else. */
const PLAIN_NUMBER = /^\d{1,9}$/;

/**
 * Lexes `sql` as `server` reads it; without a server, version-gated comments only some servers run
 * make the text uncertain.
 */
export function lexMysql(sql: string, server: ServerDialect | null = null): LexResult {
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
      if (end === -1) return unterminated(statements);
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
        const digits = /^\d{0,6}/.exec(sql.slice(i + bang, i + bang + 6))![0];
        const { reading, versionDigits } = readVersionComment(server, bang === 3 ? '!' : 'M!', digits);
        if (reading === 'uncertain') return uncertain(VERSION_COMMENT);
        if (reading === 'run') {
          // The content is code, after the version.
          inExecutable = true;
          out += ' ';
          i += bang + versionDigits;
          continue;
        }
        const end = commentEnd(sql, i + bang, reading === 'skip' ? 1 : 0);
        if (end === -1) return unterminated(statements);
        out += ' ';
        i = end;
        continue;
      }
      const end = sql.indexOf('*/', i + 2);
      if (end === -1) return unterminated(statements);
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
    // Vigil reads text as UTF-8, or byte for byte when it is not: which client character set the
    // server reads it in is not known here. The byte 0xA0 is a space to latin1 and several
    // single-byte sets, a part of a name to utf8mb4: text holding it outside strings, quoted names
    // and comments has two readings. So has `--` before U+0080-U+00FF, which could be a byte one of
    // those sets reads as a space.
    if (holdsA0(sql, i) || (c === '-' && next === '-' && /[\u0080-\u00ff]/.test(sql[i + 2] ?? '')))
      return uncertain(SPACE_OR_NOT);
    if (c === '#' || (c === '-' && next === '-' && (i + 2 >= n || DASH_COMMENT_AFTER.test(sql[i + 2]!)))) {
      // The server ends such a comment at a newline (part of the comment) or a NUL (not).
      let end = i;
      while (end < n && sql[end] !== '\n' && sql[end] !== '\0') end++;
      out += ' ';
      i = sql[end] === '\n' ? end + 1 : end;
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
      while (j < n && (isWordAt(sql, j) || sql[j] === '.')) j++;
      tokens.push({ kind: 'var', text: sql.slice(i, j).toLowerCase() });
      out += sql.slice(i, j);
      i = j;
      continue;
    }
    if (isWordAt(sql, i)) {
      let j = i + 1;
      while (j < n && isWordAt(sql, j)) j++;
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
  if (inExecutable) return unterminated(statements);
  endStatement();
  return { statements, unterminated: false, uncertain: null };
}

function unterminated(statements: LexedStatement[]): LexResult {
  return { statements, unterminated: true, uncertain: null };
}

/** No statements: none of a text Vigil cannot read may be judged, or cached by its shape. */
function uncertain(why: string): LexResult {
  return { statements: [], unterminated: false, uncertain: why };
}

const VERSION_COMMENT =
  'a version-gated comment (/*!NNNNN ... */, /*M! ... */) that Vigil cannot tell whether the server runs or skips';
const SPACE_OR_NOT =
  'the byte 0xA0 (a no-break space, or part of a character such as à) outside a string, or a non-ASCII character right after --: whitespace to latin1 and other client character sets, part of a name to utf8mb4';

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
