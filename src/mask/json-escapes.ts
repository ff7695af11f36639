// Reading a stretch of text with its escapes decoded (`\u00e9`, `\u0073`, `\"`, `\/`, and since
// 7 December `\x73`, `&#115;`, `&#x73;`, `%73`: escape-kinds.ts), keeping where each decoded
// character came from. Encoders differ in what they escape: PHP's json_encode writes every
// non-ASCII character as `\u00e9` unless told otherwise, Python's json.dumps does by default,
// HTML-safe encoders write `<>&'` as `\u003c`…, an HTML page `&#39;`, a URL `%2F`, and some escape
// every character. Spelling a secret each of those ways would be a set of spellings that grows with
// the secret's length; decoding the text around an escape and matching there costs nothing where the
// text has no escape of a character a secret holds (known-escaped-search.ts).
import { beginsEscape, escapeAt, isOpenEscape, MAX_ESCAPE_WIDTH } from './escape-kinds.js';

/** One escape of a decoded stretch: where it is in the decoded text and in the raw text. */
interface Escape {
  readonly decoded: number;
  /** UTF-16 units it decodes to (2 for a code point above the BMP). */
  readonly length: number;
  readonly raw: number;
  readonly width: number;
  /** Not one of JSON's two-character escapes (escape-kinds.ts). */
  readonly spelled: boolean;
}

/** A stretch decoded: its text, and the escapes read in it, in order. */
export interface DecodedStretch {
  readonly text: string;
  /** The raw offset of decoded offset `k` (0 … text.length). */
  toRaw(k: number): number;
  /**
   * Whether an escape other than JSON's two-character ones (at any depth) spelled a character of
   * the decoded span [from, to).
   */
  hasSpelledEscape(from: number, to: number): boolean;
  /**
   * The raw offset where an escape that a later reading would read begins, when a reading ends
   * inside it (`&amp;amp;l`, read once `&amp;l`, twice `&l`), or -1: a stream holds from there.
   */
  openAt(): number;
}

/** The next offset at or after `i`, before `to`, of a character that may begin an escape, or `to`. */
function nextEscapeStart(text: string, i: number, to: number): number {
  for (let k = i; k < to; k++) if (beginsEscape(text.charCodeAt(k))) return k;
  return to;
}

/** One level of decoding from `from` to `to` (an escape begun before `to` is read whole). */
function decodeOnce(text: string, from: number, to: number): { text: string; escapes: Escape[] } {
  const escapes: Escape[] = [];
  let out = '';
  let i = from;
  while (i < to) {
    const plainEnd = nextEscapeStart(text, i, to);
    out += text.slice(i, plainEnd);
    i = plainEnd;
    if (i >= to) break;
    const e = escapeAt(text, i);
    if (e === null) {
      out += text[i];
      i++;
      continue;
    }
    escapes.push({ decoded: out.length, length: e.text.length, raw: i, width: e.width, spelled: e.spelled });
    out += e.text;
    i += e.width;
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
  // Inside a pair of units one reference spelled: the reference's start.
  if (k < e.decoded + e.length) return e.raw;
  return e.raw + e.width + (k - e.decoded - e.length);
}

function spelledWithin(escapes: readonly Escape[], from: number, to: number): boolean {
  for (let j = Math.max(0, escapeBefore(escapes, from + 1)); j < escapes.length; j++) {
    const e = escapes[j]!;
    if (e.decoded >= to) return false;
    if (e.spelled && e.decoded + e.length > from) return true;
  }
  return false;
}

/** Text a reading left that another may decode: JSON text quoted in a JSON string (`\\u0073`). */
const ESCAPED_AGAIN = /\\[ux]|%[0-9a-fA-F]{2}|%u|&#|&[A-Za-z][A-Za-z0-9]{1,9};/;

/**
 * Readings at most: text escaped three deep is common enough (JSON text quoted in a JSON string
 * in a JSON log line, `\\\\u0073`; HTML escaped three times, `&amp;amp;lt;`); until 7 December a
 * stretch was read twice at most, and a secret so spelled was recorded in clear.
 */
const MAX_DEPTH = 3;

/**
 * The raw text from `from` to `to` read with its escapes decoded, again while the reading still
 * holds an escape, up to MAX_DEPTH readings (JSON text quoted in a JSON string: `\\u0073`; a URL
 * encoded twice: `%2573`).
 */
export function decodeStretch(raw: string, from: number, to: number): DecodedStretch {
  const levels = [decodeOnce(raw, from, to)];
  while (levels.length < MAX_DEPTH && ESCAPED_AGAIN.test(levels[levels.length - 1]!.text)) {
    const last = levels[levels.length - 1]!.text;
    levels.push(decodeOnce(last, 0, last.length));
  }
  // Offset `k` of reading `d` in the reading before it (the raw text for the first).
  const down = (d: number, k: number) => rawOf(levels[d]!.escapes, d === 0 ? from : 0, k);
  const top = levels.length - 1;
  const toRaw = (level: number, k: number) => {
    let at = k;
    for (let d = level; d >= 0; d--) at = down(d, at);
    return at;
  };
  return {
    text: levels[top]!.text,
    toRaw: (k) => toRaw(top, k),
    openAt: () => {
      let open = -1;
      for (let d = 0; d <= top; d++) {
        const at = openEscapeAt(levels[d]!.text, 0);
        if (at >= 0) open = open < 0 ? toRaw(d, at) : Math.min(open, toRaw(d, at));
      }
      return open;
    },
    hasSpelledEscape: (a, b) => {
      let lo = a;
      let hi = b;
      for (let d = top; d >= 0; d--) {
        if (spelledWithin(levels[d]!.escapes, lo, hi)) return true;
        if (d > 0) {
          lo = down(d, lo);
          hi = down(d, hi);
        }
      }
      return false;
    },
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
  let boundary = at;
  for (let s = at - 1; s >= 0 && s > at - MAX_ESCAPE_WIDTH; s--) {
    if (!beginsEscape(text.charCodeAt(s))) continue;
    const e = escapeAt(text, s);
    if (e === null || s + e.width <= at) continue;
    if (text.charCodeAt(s) === 0x5c && !escapeStarts(text, s, floor)) continue;
    boundary = Math.max(boundary, s + e.width);
  }
  return boundary;
}

/**
 * Where an escape the text may end in the middle of begins (`\`, `\u00`, `\x7`, `&#11`, `%7`, and
 * at the second depth `\\` or `\\u0`: the backslashes before them), or -1: the next characters may
 * complete it. Counted from the first backslash of the run, whatever their parity, so both depths
 * are held.
 */
export function openEscapeAt(text: string, floor: number): number {
  const n = text.length;
  for (let s = Math.max(floor, n - MAX_ESCAPE_WIDTH + 1); s < n; s++) {
    if (!beginsEscape(text.charCodeAt(s)) || !isOpenEscape(text.slice(s))) continue;
    let j = s;
    while (j > floor && text.charCodeAt(j - 1) === 0x5c) j--;
    return j;
  }
  return -1;
}
