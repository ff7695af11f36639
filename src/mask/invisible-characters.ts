// The text a reader copies a secret out of, when invisible characters sit inside it. A zero-width
// space, a soft hyphen (word processors put them in long tokens), a word joiner or a variation
// selector splits a key for a pattern but not for anyone who copies it and deletes what cannot be
// seen. The scanner reads text with them set aside and masks the span they stood in, so a secret
// they split is still found (docs/masking.md).

/**
 * Format characters (Cf: zero-width spaces and joiners, the soft hyphen, bidi controls, the byte
 * order mark, tags) and everything Unicode calls default-ignorable (variation selectors, Hangul
 * fillers, the combining grapheme joiner).
 */
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;

/**
 * Code units where such a character may be: a superset of them (the high surrogate of each
 * supplementary block that has one), looked up in a table because a regular expression's class
 * scans text beyond ASCII at several nanoseconds a character. The tests check it against every
 * code point.
 */
const MAYBE_INVISIBLE = new Uint8Array(0x10000);
for (const [first, last] of [
  [0x00ad, 0x00ad],
  [0x034f, 0x034f],
  [0x0600, 0x0605],
  [0x061c, 0x061c],
  [0x06dd, 0x06dd],
  [0x070f, 0x070f],
  [0x0890, 0x0891],
  [0x08e2, 0x08e2],
  [0x115f, 0x1160],
  [0x17b4, 0x17b5],
  [0x180b, 0x180f],
  [0x200b, 0x200f],
  [0x202a, 0x202e],
  [0x2060, 0x206f],
  [0x3164, 0x3164],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
  [0xffa0, 0xffa0],
  [0xfff0, 0xfffb],
  // High surrogates of 𑂽 and kin (U+110BD…), Egyptian format controls, shorthand format controls,
  // musical format controls, and tags with the variation selectors supplement.
  [0xd804, 0xd804],
  [0xd80d, 0xd80d],
  [0xd82f, 0xd82f],
  [0xd834, 0xd834],
  [0xdb40, 0xdb43],
] as const) {
  MAYBE_INVISIBLE.fill(1, first, last + 1);
}

/** Whether a code unit may be (part of) an invisible character: a superset, see above. */
export function mayBeInvisible(code: number): boolean {
  return MAYBE_INVISIBLE[code] === 1;
}

const ALL_INVISIBLE = /^[\p{Cf}\p{Default_Ignorable_Code_Point}]+$/u;

/** Whether `text` is made of invisible characters only (the exact set, not the superset). */
export function isInvisibleRun(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // Low surrogates: of a tag or variation selector whose high surrogate the superset holds.
    if (MAYBE_INVISIBLE[code] !== 1 && (code < 0xdc00 || code > 0xdfff)) return false;
  }
  return ALL_INVISIBLE.test(text);
}

function mayHideCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (MAYBE_INVISIBLE[text.charCodeAt(i)] === 1) return true;
  return false;
}

/** Text with its invisible characters set aside, and where each of its characters came from. */
export class VisibleReading {
  /** `origin[i]`: the offset in the original text of the reading's character i; one more entry for the end. */
  constructor(
    readonly text: string,
    private readonly origin: Int32Array,
    private readonly originalLength: number,
  ) {}

  /** The reading's offset of an original offset: its first visible character at or after it. */
  toReading(at: number): number {
    if (at >= this.originalLength) return at - this.originalLength + this.text.length;
    let lo = 0;
    let hi = this.text.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.origin[mid]! < at) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Where the reading's character `at` (or its end) stands in the original. */
  toOriginal(at: number): number {
    if (at >= this.text.length) return at - this.text.length + this.originalLength;
    return this.origin[at]!;
  }

  /** The original end of a span ending before the reading's `end`: just after its last visible character. */
  toOriginalEnd(end: number): number {
    if (end <= 0) return this.toOriginal(end);
    if (end > this.text.length) return this.toOriginal(end);
    return this.origin[end - 1]! + 1;
  }
}

/** The visible reading of `text`, or null when nothing in it is invisible (the usual case, found without a scan for ASCII). */
export function visibleReading(text: string): VisibleReading | null {
  // V8 knows when a string is one byte per character; ASCII has nothing invisible.
  if (Buffer.byteLength(text, 'utf8') === text.length || !mayHideCharacters(text)) return null;
  const origin = new Int32Array(text.length + 1);
  let reading = '';
  let n = 0;
  let pos = 0;
  for (const m of text.matchAll(INVISIBLE)) {
    for (let i = pos; i < m.index; i++) origin[n++] = i;
    reading += text.slice(pos, m.index);
    pos = m.index + m[0].length;
  }
  // No match leaves pos at 0: the superset hit characters that are visible (Arabic letters, say).
  if (pos === 0) return null;
  for (let i = pos; i < text.length; i++) origin[n++] = i;
  reading += text.slice(pos);
  origin[n] = text.length;
  return new VisibleReading(reading, origin.subarray(0, n + 1), text.length);
}
