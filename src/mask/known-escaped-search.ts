// Finds the known secrets spelled with JSON `\u` escapes: `\u00e9` for a non-ASCII character (PHP's
// json_encode, Python's json.dumps), `\u003c` for `<>&'` (HTML-safe encoders), or every character
// (`\u0073\u006b…`). An upstream that echoes the credential Vigil injects through such an encoder
// handed it to the client, and to the record, in a spelling no literal matched. The text around
// each `\u` escape is read decoded (json-escapes.ts) and the secrets' spellings are looked for
// there; a text without a `\u` costs one native search. Only a match that a `\u` escape spells
// is reported: the plain spellings are found by the literal search beside this one.
import { decodeStretch, escapeBoundary, openEscapeAt } from './json-escapes.js';
import { LiteralSearch } from './literal-search.js';

export interface EscapedMatch {
  readonly start: number;
  readonly end: number;
  /** The spelling found in the decoded text: the key of the known secret. */
  readonly literal: string;
}

/** Raw characters a decoded character takes at most: `\u005c\u005c`, a backslash escaped twice. */
const MAX_SPELLING = 12;

export class KnownEscapedSearch {
  private readonly search: LiteralSearch;
  private readonly literals: readonly string[];
  /** How far a match can reach from one of its escapes, in raw characters. */
  private readonly reach: number;
  private text: string | null = null;
  private from = 0;
  private found: EscapedMatch | null = null;

  /**
   * The `\\u` escapes of the UTF-16 units the spellings hold, hex in either case: an escape of any
   * other unit spells none of them, so text full of those (non-ASCII prose as json.dumps writes
   * it) is passed over by one native search.
   */
  private readonly escapes: RegExp;

  constructor(literals: readonly string[]) {
    this.literals = literals;
    this.search = new LiteralSearch(literals);
    this.reach = MAX_SPELLING * Math.max(0, ...literals.map((l) => l.length));
    const units = new Set<string>();
    for (const l of literals)
      for (let i = 0; i < l.length; i++) units.add(l.charCodeAt(i).toString(16).padStart(4, '0'));
    this.escapes = new RegExp(`\\\\u(?:${[...units].join('|')})`, 'gi');
  }

  /**
   * The next `\u` escape at or after `from` that spells a unit some spelling holds, or -1. Text
   * full of escapes of other characters (non-ASCII prose as json.dumps writes it) is read no
   * further than this.
   */
  private nextEscape(text: string, from: number): number {
    this.escapes.lastIndex = from;
    return this.escapes.exec(text)?.index ?? -1;
  }

  /**
   * The leftmost match at or after `pos` that a `\u` escape spells, or null. Stretches are read
   * around escapes: one begins `reach` before the first escape and runs `reach` past the last
   * escape that follows another within `reach`, so a match with an escape lies in one stretch, and
   * one of an earlier stretch starts before any of a later one.
   */
  next(text: string, pos: number): EscapedMatch | null {
    if (text === this.text && pos >= this.from && (this.found === null || pos <= this.found.start))
      return this.found;
    this.text = text;
    this.from = pos;
    this.found = this.scan(text, pos);
    return this.found;
  }

  private scan(text: string, pos: number): EscapedMatch | null {
    const n = text.length;
    let p = this.nextEscape(text, pos);
    while (p >= 0) {
      const a = escapeBoundary(text, Math.max(pos, p - this.reach));
      let last = p;
      let q = this.nextEscape(text, p + 2);
      while (q >= 0 && q < last + 6 + this.reach) {
        last = q;
        q = this.nextEscape(text, q + 2);
      }
      const stretch = decodeStretch(text, a, Math.min(n, last + 6 + this.reach));
      const decoded = stretch.text;
      for (let x = this.search.next(decoded, 0); x >= 0; x = this.search.next(decoded, x + 1)) {
        const literal = this.search.literal();
        if (stretch.hasUnicodeEscape(x, x + literal.length))
          return { start: stretch.toRaw(x), end: stretch.toRaw(x + literal.length), literal };
      }
      p = q;
    }
    return null;
  }

  /**
   * Where a stream must hold text that may begin an escaped spelling (stream-hold.ts): the start
   * of the longest decoded suffix that begins a spelling, or of an escape the text ends inside.
   * The text's end when its last `reach` characters hold no escape of a unit the spellings hold
   * and it ends inside none: a prefix without one is plain text or a two-character escape (`\/`,
   * `\"`), which the spellings of the literal search hold themselves.
   */
  openFrom(text: string, from: number): number {
    const n = text.length;
    const floor = Math.max(from, n - this.reach);
    const open = openEscapeAt(text, floor);
    if (open < 0 && this.nextEscape(text, floor) < 0) return n;
    const a = escapeBoundary(text, floor);
    const stretch = decodeStretch(text, a, open >= 0 ? open : n);
    const hold = stretch.toRaw(openPrefixAt(stretch.text, this.literals));
    return open >= 0 ? Math.min(open, hold) : hold;
  }
}

/**
 * The start of the longest suffix of `text` that begins some literal without completing it, or
 * the text's length. Only offsets holding a literal's first character are compared.
 */
function openPrefixAt(text: string, literals: readonly string[]): number {
  let best = text.length;
  for (const literal of literals) {
    const first = literal.charCodeAt(0);
    for (let x = Math.max(0, text.length - literal.length + 1); x < best; x++) {
      if (text.charCodeAt(x) === first && literal.startsWith(text.slice(x))) {
        best = x;
        break;
      }
    }
  }
  return best;
}
