// Text as a model reads it when the writer hid it from a pattern. Models read what a pattern does
// not see: Unicode tag characters (U+E0020–U+E007E, invisible on screen) spell ASCII a model
// decodes ("ASCII smuggling"); zero-width and other format characters, variation selectors and the
// other characters Unicode says to draw as nothing (Hangul fillers, the combining grapheme joiner)
// split a word for a pattern but not for a model; compatibility forms (fullwidth letters,
// ligatures, mathematical alphanumerics, a no-break space) read as the plain characters (NFKC), and
// so do letters in a box, a circle or parentheses that NFKC leaves alone or wraps (🅴, 🄴, ⒠). A
// deny, review or alert pattern is also matched against this reading (docs/policy.md). Letters that
// only look alike (Cyrillic а for Latin a) stay as they are here, so that a pattern written in
// their script still matches; look-alike-letters.ts reads them as Latin in a reading of its own.

/** Tag characters that mirror printable ASCII. */
const TAG_ASCII = /[\u{E0020}-\u{E007E}]/gu;
/**
 * Format characters (zero-width space and joiners, soft hyphen, bidi controls, BOM), variation
 * selectors, and every other default-ignorable code point (Hangul fillers U+115F, U+1160, U+3164
 * and U+FFA0, Khmer inherent vowels, the combining grapheme joiner), which a renderer draws as nothing.
 */
const INVISIBLE = /[\p{Cf}\p{Variation_Selector}\p{Default_Ignorable_Code_Point}]/gu;
/**
 * Enclosed Latin letters without an NFKC form of the letter alone: parenthesized (⒜, 🄐; NFKC
 * makes them `(a)`), negative circled and squared (🅐, 🅰), and regional indicators (🇦, drawn as a
 * boxed letter where they make no flag).
 */
const ENCLOSED_LETTER =
  /[\u249c-\u24b5\u{1f110}-\u{1f129}\u{1f150}-\u{1f169}\u{1f170}-\u{1f189}\u{1f1e6}-\u{1f1ff}]/gu;
/** The first code point of each run of enclosed letters above, and the letter it starts from. */
const ENCLOSED_RUNS: readonly (readonly [number, number])[] = [
  [0x249c, 0x61],
  [0x1f110, 0x41],
  [0x1f150, 0x41],
  [0x1f170, 0x41],
  [0x1f1e6, 0x41],
];

function enclosedLetter(char: string): string {
  const code = char.codePointAt(0)!;
  let run = ENCLOSED_RUNS[0]!;
  for (const r of ENCLOSED_RUNS) if (code >= r[0]) run = r;
  return String.fromCharCode(run[1] + code - run[0]);
}

/**
 * Where a default-ignorable character or an enclosed letter above may be: a superset of them (whole
 * Arabic blocks, U+115F to U+180F, every supplementary character, emoji included), in as few ranges
 * as that takes: a class of a few more ranges scanned typographic English (curly quotes, dashes)
 * several times slower, 8 µs against 1.2 µs for a 1.7 KB piece. The tests check it against every
 * code point.
 */
const MAYBE_HIDDEN =
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: it matches code units one at a time, combining marks and lone surrogates included, on purpose.
  /[\u00ad\u034f\u0600-\u08e2\u115f-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u249c-\u24b5\u3164\ufe00-\ufeff\uffa0-\ufffb\ud804-\udb43]/;

/** The text as a model reads it, or the same string when nothing in it reads differently. */
export function revealedText(text: string): string {
  // Only text beyond ASCII can read differently. Its UTF-8 length says so without a scan (V8 knows
  // a string holds one byte per character), where a regular expression takes ~1 ns a character.
  if (Buffer.byteLength(text, 'utf8') === text.length) return text;
  const shown = MAYBE_HIDDEN.test(text)
    ? text
        .replace(TAG_ASCII, (tag) => String.fromCharCode(tag.codePointAt(0)! - 0xe0000))
        .replace(INVISIBLE, '')
        .replace(ENCLOSED_LETTER, enclosedLetter)
    : text;
  return shown.normalize('NFKC');
}
