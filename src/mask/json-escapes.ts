// Reading a stretch of text with its JSON string escapes decoded (`\u00e9`, `\u0073`, `\"`, `\/`),
// keeping where each decoded character came from. Encoders differ in what they escape: PHP's
// json_encode writes every non-ASCII character as `\u00e9` unless told otherwise, Python's
// json.dumps does by default, HTML-safe encoders write `<>&'` as `\u003c`…, and some escape every
// character. Spelling a secret each of those ways would be a set of spellings that grows with the
// secret's length; decoding the text around an escape and matching there costs nothing where the
// text has no `\u` escape (known-escaped-search.ts).

/** One escape of a decoded stretch: where it is in the decoded text and in the raw text. */
interface Escape {
  readonly decoded: number;
  readonly raw: number;
  readonly width: number;
}

/** A stretch decoded: its text, and the escapes read in it, in order. */
export interface DecodedStretch {
  readonly text: string;
  /** The raw offset of decoded offset `k` (0 … text.length). */
  toRaw(k: number): number;
  /** Whether a `\u` escape (at any depth) spelled a character of the decoded span [from, to). */
  hasUnicodeEscape(from: number, to: number): boolean;
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

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Whether a `\uXXXX` escape's four hex digits follow `at` (the `u`). */
function unicodeAt(text: string, at: number): boolean {
  if (text.charCodeAt(at) !== 0x75 || at + 5 > text.length) return false;
  for (let k = 1; k <= 4; k++) if (!isHex(text.charCodeAt(at + k))) return false;
  return true;
}

/** One level of decoding from `from` to `to` (an escape begun before `to` is read whole). */
function decodeOnce(text: string, from: number, to: number): { text: string; escapes: Escape[] } {
  const escapes: Escape[] = [];
  let out = '';
  let i = from;
  while (i < to) {
    const slash = text.indexOf('\\', i);
    const plainEnd = slash < 0 || slash >= to ? to : slash;
    out += text.slice(i, plainEnd);
    i = plainEnd;
    if (i >= to) break;
    const next = text[i + 1];
    if (next === 'u' && unicodeAt(text, i + 1)) {
      escapes.push({ decoded: out.length, raw: i, width: 6 });
      out += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 6), 16));
      i += 6;
    } else if (next !== undefined && Object.hasOwn(SIMPLE, next)) {
      escapes.push({ decoded: out.length, raw: i, width: 2 });
      out += SIMPLE[next]!;
      i += 2;
    } else {
      out += '\\';
      i++;
    }
  }
  return { text: out, escapes };
}

/** The last escape whose decoded offset is below `k`, or -1. */
function escapeBefore(escapes: readonly Escape[], k: number): number {
  let lo = 0;
  let hi = escapes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (escapes[mid]!.decoded < k) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** The raw offset of decoded offset `k`, at the start of the character's spelling. */
function rawOf(escapes: readonly Escape[], base: number, k: number): number {
  const j = escapeBefore(escapes, k);
  if (j < 0) return base + k;
  const e = escapes[j]!;
  return e.raw + e.width + (k - e.decoded - 1);
}

function unicodeWithin(escapes: readonly Escape[], from: number, to: number): boolean {
  for (let j = escapeBefore(escapes, from) + 1; j < escapes.length; j++) {
    const e = escapes[j]!;
    if (e.decoded >= to) return false;
    if (e.width === 6) return true;
  }
  return false;
}

/**
 * The raw text from `from` to `to` read with JSON escapes decoded, twice when the first reading
 * still holds a `\u` escape (JSON text quoted in a JSON string: `\\u0073`).
 */
export function decodeStretch(raw: string, from: number, to: number): DecodedStretch {
  const once = decodeOnce(raw, from, to);
  if (!once.text.includes('\\u')) {
    return {
      text: once.text,
      toRaw: (k) => rawOf(once.escapes, from, k),
      hasUnicodeEscape: (a, b) => unicodeWithin(once.escapes, a, b),
    };
  }
  const twice = decodeOnce(once.text, 0, once.text.length);
  const inOnce = (k: number) => rawOf(twice.escapes, 0, k);
  return {
    text: twice.text,
    toRaw: (k) => rawOf(once.escapes, from, inOnce(k)),
    hasUnicodeEscape: (a, b) =>
      unicodeWithin(twice.escapes, a, b) || unicodeWithin(once.escapes, inOnce(a), inOnce(b)),
  };
}

/** Whether the backslash at `at` begins an escape: an odd number of backslashes ends there. */
function escapeStarts(text: string, at: number, limit: number): boolean {
  let run = 0;
  for (let i = at; i >= limit && text.charCodeAt(i) === 0x5c; i--) run++;
  return run % 2 === 1;
}

/**
 * The first offset at or after `at` that no escape straddles: a stretch read from inside an
 * escape would read its tail as text. Backslashes are counted back at most `limit` characters.
 */
export function escapeBoundary(text: string, at: number, limit = 64): number {
  const floor = Math.max(0, at - limit);
  if (at > 0 && text.charCodeAt(at - 1) === 0x5c && escapeStarts(text, at - 1, floor)) {
    if (unicodeAt(text, at)) return at + 5;
    return Object.hasOwn(SIMPLE, text[at] ?? '') ? at + 1 : at;
  }
  for (let k = 2; k <= 5 && at - k >= 0; k++) {
    const s = at - k;
    if (text.charCodeAt(s) === 0x5c && unicodeAt(text, s + 1) && escapeStarts(text, s, floor)) return s + 6;
  }
  return at;
}

/**
 * Where an escape the text may end in the middle of begins (`\`, `\u`, `\u00`, and at the second
 * depth `\\` or `\\u0`: the backslashes before them), or -1: the next characters may complete
 * it. Counted from the first backslash of the run, whatever their parity, so both depths are held.
 */
export function openEscapeAt(text: string, floor: number): number {
  const n = text.length;
  let k = n;
  while (k > floor && n - k < 3 && isHex(text.charCodeAt(k - 1))) k--;
  if (k > floor && text.charCodeAt(k - 1) === 0x75) k--;
  else k = n;
  let j = k;
  while (j > floor && text.charCodeAt(j - 1) === 0x5c) j--;
  return j < k ? j : -1;
}
