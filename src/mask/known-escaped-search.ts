// Finds the known secrets spelled with escapes: JSON's `\u` escapes, `\u00e9` for a non-ASCII
// character (PHP's json_encode, Python's json.dumps), `\u003c` for `<>&'` (HTML-safe encoders), or
// every character (`\u0073\u006b…`); and since 7 December a string literal's `\x73` and `\u{73}`,
// HTML's `&#115;`, `&#x73;` and `&amp;`, and percent-encoding of any character (`%73%6b…`,
// `%u0073`), each read by escape-kinds.ts. An upstream that echoes the credential Vigil injects
// through such an encoder handed it to the client, and to the record, in a spelling no literal
// matched. The text around each escape is read decoded (json-escapes.ts) and the secrets'
// spellings are looked for there; a text without an escape of a character they hold costs one
// native search. Only a match that such an escape spells is reported: the plain spellings are
// found by the literal search beside this one.
import { escapeSearch, MAX_ESCAPE_WIDTH } from './escape-kinds.js';
import { decodeStretch, escapeBoundary, openEscapeAt } from './json-escapes.js';
import { LiteralSearch } from './literal-search.js';

export interface EscapedMatch {
  readonly start: number;
  readonly end: number;
  /** The spelling found in the decoded text: the key of the known secret. */
  readonly literal: string;
}

/**
 * Raw characters a decoded character takes at most, three deep (json-escapes.ts): a named
 * reference of 10 letters with its `&` escaped twice more, `&amp;amp;` and 11 characters.
 */
const MAX_SPELLING = 20;
/**
 * A text's end that a deeper reading may still make an escape of, though no escape is open in it
 * as written: a reference's `&` escaped (`&amp;l`, `&amp;amp;#11`), a `%` escaped (`%252`).
 */
const NESTED_OPEN =
  /(?:&(?:amp;)+(?:#[xX]?[0-9a-fA-F]{0,7}|[A-Za-z][A-Za-z0-9]{0,9})?|%25(?:25)*[0-9a-fA-F]?)$/i;

/** The least of a window (scan): a cluster's windows overlap by `reach`, so not much less. */
const MIN_WINDOW = 4096;

export class KnownEscapedSearch {
  private readonly search: LiteralSearch;
  private readonly literals: readonly string[];
  /** How far a match can reach from one of its escapes, in raw characters. */
  private readonly reach: number;
  /** The most raw characters of a cluster of escapes decoded at once. */
  private readonly window: number;
  private text: string | null = null;
  private from = 0;
  private found: EscapedMatch | null = null;

  /**
   * The escapes (escape-kinds.ts) of the UTF-16 units and code points the spellings hold: an
   * escape of any other character spells none of them, so text full of those (non-ASCII prose as
   * json.dumps writes it, a URL's `%2F`s when no secret holds a `/`) is passed over by one native
   * search.
   */
  private readonly escapes: RegExp;

  constructor(literals: readonly string[]) {
    this.literals = literals;
    this.search = new LiteralSearch(literals);
    this.reach = MAX_SPELLING * Math.max(0, ...literals.map((l) => l.length));
    this.window = Math.max(MIN_WINDOW, 4 * this.reach);
    const units = new Set<number>();
    const points = new Set<number>();
    for (const l of literals) {
      for (let i = 0; i < l.length; i++) units.add(l.charCodeAt(i));
      for (const c of l) points.add(c.codePointAt(0)!);
    }
    this.escapes = escapeSearch(units, points);
  }

  /**
   * The next escape at or after `from` that spells a unit some spelling holds, or -1. Text
   * full of escapes of other characters (non-ASCII prose as json.dumps writes it) is read no
   * further than this.
   */
  private nextEscape(text: string, from: number): number {
    this.escapes.lastIndex = from;
    return this.escapes.exec(text)?.index ?? -1;
  }

  /**
   * The leftmost match at or after `pos` that an escape spells, or null. Stretches are read
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
    const span = MAX_ESCAPE_WIDTH + this.reach;
    let p = this.nextEscape(text, pos);
    while (p >= 0) {
      const a = escapeBoundary(text, Math.max(pos, p - this.reach));
      let last = p;
      let q = this.nextEscape(text, p + 2);
      // A cluster is read a window at a time: read whole, text dense with escapes (an HTML page's
      // `&#39;`s) was decoded to its end again after each match, in time the square of its length.
      const limit = a + this.window;
      while (q >= 0 && q < last + span && q < limit) {
        last = q;
        q = this.nextEscape(text, q + 2);
      }
      // Cut: the next window begins at `next`, and finds what starts there or later.
      const cut = q >= 0 && q < last + span;
      const next = cut ? escapeBoundary(text, Math.max(pos, q - this.reach)) : n;
      const stretch = decodeStretch(text, a, Math.min(n, (cut ? q : last) + span));
      const decoded = stretch.text;
      for (let x = this.search.next(decoded, 0); x >= 0; x = this.search.next(decoded, x + 1)) {
        const literal = this.search.literal();
        if (!stretch.hasSpelledEscape(x, x + literal.length)) continue;
        const start = stretch.toRaw(x);
        if (start >= next) break;
        return { start, end: stretch.toRaw(x + literal.length), literal };
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
    if (open < 0 && this.nextEscape(text, floor) < 0 && !NESTED_OPEN.test(text.slice(floor))) return n;
    const a = escapeBoundary(text, floor);
    const end = open >= 0 ? open : n;
    let stretch = decodeStretch(text, a, end);
    // An escape a deeper reading would read, cut at the text's end (`&amp;amp;l`: `&l` twice read):
    // held, and the text before it read for a spelling it may begin.
    const deeper = stretch.openAt();
    if (deeper >= a && deeper < end) stretch = decodeStretch(text, a, deeper);
    const hold = stretch.toRaw(openPrefixAt(stretch.text, this.literals));
    const held = deeper >= a && deeper < end ? Math.min(deeper, hold) : hold;
    return open >= 0 ? Math.min(open, held) : held;
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
