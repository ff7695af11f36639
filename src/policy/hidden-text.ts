// Text as a model reads it when the writer hid it from a pattern. Models read what a pattern does
// not see: Unicode tag characters (U+E0020–U+E007E, invisible on screen) spell ASCII a model
// decodes ("ASCII smuggling"); zero-width and other format characters, and variation selectors,
// split a word for a pattern but not for a model; compatibility forms (fullwidth letters,
// ligatures, mathematical alphanumerics, a no-break space) read as the plain characters (NFKC). A
// deny, review or alert pattern is also matched against this reading (docs/policy.md). Letters that
// only look alike (Cyrillic а for Latin a) stay as they are here, so that a pattern written in
// their script still matches; look-alike-letters.ts reads them as Latin in a reading of its own.

/** Tag characters that mirror printable ASCII. */
const TAG_ASCII = /[\u{E0020}-\u{E007E}]/gu;
/** Format characters (zero-width space and joiners, soft hyphen, bidi controls, BOM) and variation selectors. */
const INVISIBLE = /[\p{Cf}\p{Variation_Selector}]/gu;

/**
 * Where a format character or variation selector may be: a superset of them (whole Arabic blocks,
 * the high surrogate of each supplementary block that has one), as few ranges as that takes: a
 * class of many more ranges scans long text several times slower. The tests check it against
 * every code point.
 */
const MAYBE_HIDDEN =
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: it matches code units one at a time, combining marks and lone surrogates included, on purpose.
  /[\u00ad\u0600-\u070f\u0890-\u08e2\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff\ufff9-\ufffb\ud804\ud80d\ud82f\ud834\udb40]/;

/** The text as a model reads it, or the same string when nothing in it reads differently. */
export function revealedText(text: string): string {
  // Only text beyond ASCII can read differently. Its UTF-8 length says so without a scan (V8 knows
  // a string holds one byte per character), where a regular expression takes ~1 ns a character.
  if (Buffer.byteLength(text, 'utf8') === text.length) return text;
  const shown = MAYBE_HIDDEN.test(text)
    ? text
        .replace(TAG_ASCII, (tag) => String.fromCharCode(tag.codePointAt(0)! - 0xe0000))
        .replace(INVISIBLE, '')
    : text;
  return shown.normalize('NFKC');
}
