// The escapes a text may spell a character with, read one at a time: JSON's (`\u0073`, `\"`), a C,
// Python or JavaScript string literal's (`\x73`, `\u{73}`, and since 7 December the octal `\163` of
// C, Python, PHP and PostgreSQL's E'' strings), HTML's character references (`&#115;`,
// `&#x73;`, `&amp;`), and percent-encoding (`%73`, and the old `%u0073`). An upstream that echoes
// the credential Vigil injects through any of these encoders writes it in a spelling no literal
// matches; json-escapes.ts decodes the text around such an escape and known-escaped-search.ts
// looks for the secrets there. Until 7 December only JSON's escapes were read, so `\x73\x6b…` in a
// Python repr, `&#115;&#107;…` in an HTML page and `%73%6b…` in a URL were recorded, and handed to
// the client, in clear.
//
import { MAX_REFERENCE_NAME, NAMED_REFERENCES } from './html-named-references.js';

// A byte escape (`\xHH`, `%HH`) decodes to the character of that code (Latin-1): a secret's UTF-8
// bytes so escaped read as its Latin-1 spelling, which known-secrets.ts lists among its variants.

/** One escape read at an offset. */
export interface EscapeRead {
  /** Raw characters it takes. */
  readonly width: number;
  /** What it decodes to: one UTF-16 unit, or two for a code point above the BMP. */
  readonly text: string;
  /**
   * Whether it spells a character its plain spelling would not be written as: every escape but
   * JSON's two-character ones (`\"`, `\/`, `\n`), which the literal search's variants hold.
   */
  readonly spelled: boolean;
}

const SIMPLE: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/**
 * Longest escape read, in raw characters: a named reference, `&` with 10 letters and `;`
 * (html-named-references.ts); `&#x0010FFFF;` is cut at 7 digits (`&#x000073;`).
 */
export const MAX_ESCAPE_WIDTH = MAX_REFERENCE_NAME + 2;
/** Digits a numeric character reference may have: enough for any code point with a leading zero or two. */
const MAX_REFERENCE_DIGITS = 7;

export function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** The number of hex digits from `at`, at most `max`. */
function hexRun(text: string, at: number, max: number): number {
  let k = 0;
  while (k < max && at + k < text.length && isHexDigit(text.charCodeAt(at + k))) k++;
  return k;
}

function decimalRun(text: string, at: number, max: number): number {
  let k = 0;
  while (k < max && at + k < text.length) {
    const c = text.charCodeAt(at + k);
    if (c < 48 || c > 57) break;
    k++;
  }
  return k;
}

/**
 * The octal digits of a byte escape from `at` (`\163`, as C, Python, PHP and PostgreSQL's E''
 * strings write a byte): at most three, and at most `\377`.
 */
function octalRun(text: string, at: number): number {
  let k = 0;
  while (k < 3 && at + k < text.length) {
    const c = text.charCodeAt(at + k);
    if (c < 48 || c > 55) break;
    k++;
  }
  if (k === 3 && text.charCodeAt(at) > 51) k = 2;
  return k;
}

function codePoint(value: number): string | null {
  return value <= 0x10ffff ? String.fromCodePoint(value) : null;
}

const SPELLED = (width: number, text: string | null): EscapeRead | null =>
  text === null ? null : { width, text, spelled: true };

/**
 * The escape that begins at `at`, or null. A backslash's escape is read whatever precedes it: the
 * caller knows whether the backslash is itself escaped (json-escapes.ts reads left to right).
 */
export function escapeAt(text: string, at: number): EscapeRead | null {
  const c = text.charCodeAt(at);
  if (c === 0x5c) {
    const next = text[at + 1];
    if (next === 'u') {
      if (hexRun(text, at + 2, 4) === 4)
        return SPELLED(6, String.fromCharCode(Number.parseInt(text.slice(at + 2, at + 6), 16)));
      if (text[at + 2] === '{') {
        const k = hexRun(text, at + 3, 6);
        if (k > 0 && text[at + 3 + k] === '}')
          return SPELLED(k + 4, codePoint(Number.parseInt(text.slice(at + 3, at + 3 + k), 16)));
      }
      return null;
    }
    if (next === 'x')
      return hexRun(text, at + 2, 2) === 2
        ? SPELLED(4, String.fromCharCode(Number.parseInt(text.slice(at + 2, at + 4), 16)))
        : null;
    const k = octalRun(text, at + 1);
    if (k > 0) return SPELLED(k + 1, String.fromCharCode(Number.parseInt(text.slice(at + 1, at + 1 + k), 8)));
    return next !== undefined && Object.hasOwn(SIMPLE, next)
      ? { width: 2, text: SIMPLE[next]!, spelled: false }
      : null;
  }
  if (c === 0x25) {
    if (text[at + 1] === 'u' || text[at + 1] === 'U') {
      return hexRun(text, at + 2, 4) === 4
        ? SPELLED(6, String.fromCharCode(Number.parseInt(text.slice(at + 2, at + 6), 16)))
        : null;
    }
    return hexRun(text, at + 1, 2) === 2
      ? SPELLED(3, String.fromCharCode(Number.parseInt(text.slice(at + 1, at + 3), 16)))
      : null;
  }
  if (c === 0x26) return referenceAt(text, at);
  return null;
}

/** An HTML character reference at `at` (the `&`): numeric, or named (html-named-references.ts). */
function referenceAt(text: string, at: number): EscapeRead | null {
  if (text[at + 1] === '#') {
    const hex = text[at + 2] === 'x' || text[at + 2] === 'X';
    const from = at + (hex ? 3 : 2);
    const k = hex ? hexRun(text, from, MAX_REFERENCE_DIGITS) : decimalRun(text, from, MAX_REFERENCE_DIGITS);
    if (k === 0 || text[from + k] !== ';') return null;
    return SPELLED(from + k + 1 - at, codePoint(Number.parseInt(text.slice(from, from + k), hex ? 16 : 10)));
  }
  const semi = text.indexOf(';', at + 2);
  if (semi < 0 || semi > at + 1 + MAX_REFERENCE_NAME) return null;
  const decoded = NAMED_REFERENCES.get(text.slice(at + 1, semi));
  return decoded === undefined ? null : SPELLED(semi + 1 - at, decoded);
}

/** Characters that begin an escape. */
export function beginsEscape(c: number): boolean {
  return c === 0x5c || c === 0x25 || c === 0x26;
}

/**
 * A text's end that an escape may still grow from: `\`, `\u00`, `\u{7`, `\x7`, `\16`, `%`, `%7`, `%u00`,
 * `&`, `&#11`, `&#x7`, `&am`, `&lpa`. Tested on the text from a character that begins an escape.
 */
const OPEN_ESCAPE =
  /^(?:\\(?:u(?:[0-9a-fA-F]{0,3}|\{[0-9a-fA-F]{0,6})|[0-7]{1,2})?|\\x[0-9a-fA-F]?|%(?:[uU][0-9a-fA-F]{0,3}|[0-9a-fA-F])?|&(?:#(?:[xX][0-9a-fA-F]{0,7}|[0-9]{0,7})|[A-Za-z][A-Za-z0-9]{0,9})?)$/;

export function isOpenEscape(suffix: string): boolean {
  return suffix.length < MAX_ESCAPE_WIDTH && OPEN_ESCAPE.test(suffix);
}

/**
 * The characters that begin an escape (`%`, `&`, `\`): escaped themselves, they make an escape of
 * the second reading (`%2573`, `\u0026#115;`), so their escapes are looked for whatever the
 * secrets hold. Not `&amp;`, which HTML is full of, alone: a reference escaped so, once or more
 * (`&amp;#115;`, `&amp;amp;lt;`), is looked for with its `&amp;`s.
 */
const INTRODUCERS = [0x25, 0x26, 0x5c];

/**
 * An expression for the escapes that spell one of `units` (UTF-16 units) or `points` (code
 * points), or a character that begins an escape, so text whose escapes spell only other characters
 * is passed over by one native search.
 */
export function escapeSearch(units: ReadonlySet<number>, points: ReadonlySet<number>): RegExp {
  const spelled = [...new Set([...units, ...INTRODUCERS])];
  const codes = [...new Set([...points, ...INTRODUCERS])];
  const hex4 = spelled.map((u) => u.toString(16).padStart(4, '0'));
  const bytes = spelled.filter((u) => u < 256).map((u) => u.toString(16).padStart(2, '0'));
  const octal = [
    ...new Set(
      spelled.filter((u) => u < 256).flatMap((u) => [1, 2, 3].map((w) => u.toString(8).padStart(w, '0'))),
    ),
  ].sort((a, b) => b.length - a.length);
  const pointHex = codes.map((p) => p.toString(16));
  const pointDec = codes.map((p) => p.toString(10));
  const named = [...NAMED_REFERENCES].filter(([, c]) => points.has(c.codePointAt(0)!)).map(([n]) => n);
  const alt = (list: readonly string[]) => `(?:${list.length > 0 ? list.join('|') : '(?!)'})`;
  return new RegExp(
    [
      `\\\\u${alt(hex4)}`,
      `\\\\u\\{0{0,5}${alt(pointHex)}\\}`,
      `\\\\x${alt(bytes)}`,
      `\\\\${alt(octal)}`,
      `%u${alt(hex4)}`,
      `%${alt(bytes)}`,
      `&(?:amp;)*#x0{0,6}${alt(pointHex)};`,
      `&(?:amp;)*#0{0,6}${alt(pointDec)};`,
      ...(named.length > 0 ? [`&(?:amp;)*${alt(named)};`] : []),
    ].join('|'),
    'gi',
  );
}
