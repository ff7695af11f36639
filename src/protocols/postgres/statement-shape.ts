// A statement's shape: its text with the plain literals (decimal integers, ordinary single-quoted
// strings) replaced by a placeholder, so that `... WHERE aid = 1` and `... WHERE aid = 2` share one
// classification (sql-classifier.ts) instead of one parse each: applications that inline their
// values (pgbench's simple protocol, many ORMs for some statements) send a new text every time.
//
// Only texts whose literals Vigil finds exactly where PostgreSQL does get a shape. The session pins
// standard_conforming_strings on and a UTF-8 client encoding (lexical-settings.ts), so an ordinary
// '…' string ends at the first quote not doubled. Anything that reads otherwise gives no shape:
// comments, dollar quotes, E'', U&'', B'' and X'' strings (a letter right before the quote), a
// backslash or a NUL anywhere, an unterminated quote, numbers other than plain integers, U&"…"
// identifiers and UESCAPE (whose literal is an escape character, not a value). Only statements that
// start with SELECT, INSERT, UPDATE, DELETE, WITH, VALUES or TABLE get one: SET, COPY, CREATE
// FUNCTION and the other utility statements read their literals (a setting's value, a file name, a
// function body). The classifier also checks each new shape by classifying it with other literal
// values, and keeps no shape for a text that does not parse.

/** The placeholder: a NUL never stays in an eligible text, so a shape has one reading. */
const HOLE = '\0';
const SHAPED_FIRST_WORDS = new Set(['select', 'insert', 'update', 'delete', 'with', 'values', 'table']);
/** Integers longer than this stay in the shape as written (a bigint boundary is not worth the risk). */
const MAX_DIGITS = 18;

export interface StatementShape {
  /** The text with each plain literal replaced by a placeholder that says its kind. */
  readonly key: string;
  /** The same text with every plain literal replaced by a value different from the original. */
  readonly probe: string;
  /** Where the replaced literals were: start and end offsets, in pairs. */
  readonly spans: readonly number[];
}

function isIdentChar(code: number): boolean {
  return (
    (code >= 97 && code <= 122) || // a-z
    (code >= 65 && code <= 90) || // A-Z
    (code >= 48 && code <= 57) || // 0-9
    code === 95 || // _
    code === 36 || // $
    code >= 0x80
  );
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13 || code === 12 || code === 11;
}

/** Whether whitespace with a line break, then a quote, follows: PostgreSQL joins the two strings. */
function continuesString(sql: string, at: number): boolean {
  let newline = false;
  let i = at;
  for (; i < sql.length && isSpace(sql.charCodeAt(i)); i++) {
    if (sql.charCodeAt(i) === 10 || sql.charCodeAt(i) === 13) newline = true;
  }
  return newline && sql.charCodeAt(i) === 39;
}

/** The shape of a SQL text, or null when its classification may depend on how it is read. */
export function pgStatementShape(sql: string): StatementShape | null {
  let key = '';
  let probe = '';
  let copied = 0;
  const spans: number[] = [];
  /** True at the start of the text and after each top-level `;`: the next word must be a shaped one. */
  let expectFirstWord = true;
  const n = sql.length;
  let i = 0;
  const replace = (start: number, end: number, kind: 's' | 'n', probeValue: string) => {
    const before = sql.slice(copied, start);
    key += `${before}${HOLE}${kind}`;
    probe += before + probeValue;
    copied = end;
    spans.push(start, end);
  };
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (expectFirstWord) {
      if (c === 59) {
        i++; // an empty statement
        continue;
      }
      let end = i;
      while (end < n && isIdentChar(sql.charCodeAt(end))) end++;
      if (end === i || !SHAPED_FIRST_WORDS.has(sql.slice(i, end).toLowerCase())) return null;
      expectFirstWord = false;
      i = end;
      continue;
    }
    if (c === 0 || c === 92) return null; // NUL, backslash
    if (c === 45 && sql.charCodeAt(i + 1) === 45) return null; // -- comment
    if (c === 47 && sql.charCodeAt(i + 1) === 42) return null; // /* comment
    if (c === 59) {
      expectFirstWord = true;
      i++;
      continue;
    }
    if (c === 39) {
      // A letter, digit or $ right before the quote makes it E'', U&'' (after &), B'', X'', N''.
      if (i > 0 && (isIdentChar(sql.charCodeAt(i - 1)) || sql.charCodeAt(i - 1) === 38)) return null;
      let end = i + 1;
      for (;;) {
        const q = sql.indexOf("'", end);
        if (q < 0) return null;
        // A backslash is literal here (standard_conforming_strings is pinned on), but no shape
        // rather than a second reading: a session where it would not be is refused anyway.
        if (sql.slice(end, q).includes('\\')) return null;
        if (sql.charCodeAt(q + 1) === 39) {
          end = q + 2;
          continue;
        }
        end = q + 1;
        break;
      }
      if (continuesString(sql, end)) return null; // 'a'<newline>'b' is one constant
      const original = sql.slice(i, end);
      replace(i, end, 's', original === "'vigil_probe'" ? "'vigil_probf'" : "'vigil_probe'");
      i = end;
      continue;
    }
    if (c === 34) {
      // U&"…" is a Unicode identifier whose escape character a later UESCAPE '…' literal chooses:
      // that literal is syntax, not a value (one text names table `accounts`, the same shape with
      // another escape character fails to parse), so such texts get no shape.
      if (i > 0 && sql.charCodeAt(i - 1) === 38) return null;
      // A quoted identifier: kept as written, read to its closing quote ("" inside is a quote).
      let end = i + 1;
      for (;;) {
        const q = sql.indexOf('"', end);
        if (q < 0) return null;
        if (sql.charCodeAt(q + 1) === 34) {
          end = q + 2;
          continue;
        }
        end = q + 1;
        break;
      }
      if (end === i + 2) return null; // "" is an error, not an identifier
      i = end;
      continue;
    }
    if (c === 36) {
      // $n is a parameter; any other $ starts a dollar quote.
      let end = i + 1;
      while (end < n && isDigit(sql.charCodeAt(end))) end++;
      if (end === i + 1 || end - i > 10 || (end < n && isIdentChar(sql.charCodeAt(end)))) return null;
      i = end;
      continue;
    }
    if (isIdentChar(c) && !isDigit(c)) {
      let end = i + 1;
      while (end < n && isIdentChar(sql.charCodeAt(end))) end++;
      if (sql.charCodeAt(end) === 39 || (sql.charCodeAt(end) === 38 && sql.charCodeAt(end + 1) === 39)) {
        return null; // a prefixed string: E'…', B'…', X'…', N'…', U&'…'
      }
      if (sql.slice(i, end).includes('$')) return null; // a$b$ could be read as a dollar quote
      // The literal after UESCAPE is an escape character, not a value (see U&"…" above).
      if (end - i === 7 && sql.slice(i, end).toLowerCase() === 'uescape') return null;
      i = end;
      continue;
    }
    if (isDigit(c)) {
      let end = i + 1;
      while (end < n && isDigit(sql.charCodeAt(end))) end++;
      const next = end < n ? sql.charCodeAt(end) : 32;
      const previous = i > 0 ? sql.charCodeAt(i - 1) : 32;
      // 1.5, .5, 1e3, 0x1F, 1_000, 12abc: no shape rather than a second reading of numeric syntax
      // (exponent signs, trailing junk); applications' keys and counts are plain integers.
      if (next === 46 || isIdentChar(next) || previous === 46) return null;
      if (end - i > MAX_DIGITS) {
        i = end; // kept as written
        continue;
      }
      const original = sql.slice(i, end);
      replace(i, end, 'n', original === '7' ? '8' : '7');
      i = end;
      continue;
    }
    i++;
  }
  if (spans.length === 0) return null;
  const rest = sql.slice(copied);
  return { key: key + rest, probe: probe + rest, spans };
}
