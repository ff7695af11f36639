// A SQL text's shape for the masker's bindings cache (sql-shape-cache.ts): the text with each plain
// decimal integer replaced by a hole. pgbench and applications that inline their keys send a new
// text for every statement that differs from the last only in those integers; the reading of which
// values are bound to secret columns (sql-columns.ts) costs tens of microseconds per new text.
//
// Stricter than the classifier's shape (protocols/postgres/statement-shape.ts), because here the
// reading must come out the same for every text of a shape, under each of the masker's readings
// (PostgreSQL's and MySQL's), and because the cache must never hold a value: a text with any quote
// character (strings, E'', quoted identifiers, MySQL's "…" strings and backticks), a backslash, a
// dollar quote, a comment (`--`, `/*`, MySQL's `#`), a user variable (`@`) or a NUL gets no shape.
// What remains is code whose tokens are identifiers, operators, punctuation, parameters and
// numbers, and a replaced integer is read as one number token whatever its digits: the readers see
// a number's kind and place, never its digits, except where MariaDB names a VALUES column after a
// first-row value (sql-first-row-names.ts), which a name can spell only when quoted, and quotes
// give no shape.

/** Placeholder in a key: a NUL never stays in an eligible text, so a key has one reading. */
const HOLE = '\0';
/** Longer texts are not shaped: the readers cap what they read (a megabyte, 200,000 characters). */
export const MAX_SHAPED_TEXT = 16_384;
/** Integers longer than this stay in the shape as written. */
const MAX_DIGITS = 18;

export interface IntegerShape {
  /** The text with each replaced integer written as a hole. */
  readonly key: string;
  /** The replaced integers: start and end offsets in the text, in pairs, in order. */
  readonly holes: readonly number[];
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

/** Characters that make a text unshaped wherever they stand: ' " ` \ # @ NUL. */
function refused(code: number): boolean {
  return code === 39 || code === 34 || code === 96 || code === 92 || code === 35 || code === 64 || code === 0;
}

/** The shape of `sql`, or null when an integer's digits could change how it is read. */
export function integerShape(sql: string): IntegerShape | null {
  const n = sql.length;
  if (n > MAX_SHAPED_TEXT) return null;
  let key = '';
  let copied = 0;
  const holes: number[] = [];
  let i = 0;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (refused(c)) return null;
    if ((c === 45 && sql.charCodeAt(i + 1) === 45) || (c === 47 && sql.charCodeAt(i + 1) === 42)) return null;
    if (c === 36) {
      // $n is a parameter, kept as written; any other $ may start a dollar quote.
      let end = i + 1;
      while (end < n && isDigit(sql.charCodeAt(end))) end++;
      if (end === i + 1 || (end < n && isIdentChar(sql.charCodeAt(end)))) return null;
      i = end;
      continue;
    }
    if (isIdentChar(c) && !isDigit(c)) {
      let end = i + 1;
      while (end < n && isIdentChar(sql.charCodeAt(end))) end++;
      if (sql.slice(i, end).includes('$')) return null; // a$b$ could be read as a dollar quote
      i = end;
      continue;
    }
    if (isDigit(c)) {
      let end = i + 1;
      while (end < n && isDigit(sql.charCodeAt(end))) end++;
      const next = end < n ? sql.charCodeAt(end) : 32;
      const previous = i > 0 ? sql.charCodeAt(i - 1) : 32;
      // 1.5, .5, 1e3, 0x1F, 1_000, 12abc, :5: other number syntax or a name, not a plain integer.
      if (next === 46 || isIdentChar(next) || previous === 46 || previous === 58) return null;
      if (end - i <= MAX_DIGITS) {
        key += `${sql.slice(copied, i)}${HOLE}`;
        copied = end;
        holes.push(i, end);
      }
      i = end;
      continue;
    }
    i++;
  }
  return { key: key + sql.slice(copied), holes };
}
