// What a reader can actually see in a piece of text. Recorded content and reasons come from people
// who may want to hide something from the person reading them: a reason made of one zero-width
// space looks like a reason in the ledger but says nothing, and a bidi override or an escape
// sequence changes what a terminal shows. One definition serves both checks.

/**
 * One character that draws nothing a reader can rely on, or that a terminal acts on: controls (C0,
 * DEL, C1), format characters (bidi embeddings, overrides and isolates, zero-width spaces and
 * joiners, the byte order mark, tags), the line and paragraph separators, lone surrogates,
 * unassigned code points, and everything Unicode marks as default-ignorable (variation selectors,
 * Hangul fillers, the combining grapheme joiner...). Not global: `test` keeps no state.
 */
export const HIDDEN_OR_CONTROL = /[\p{Cc}\p{Cf}\p{Cs}\p{Cn}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/u;

/**
 * A character that shows as a mark of its own: a letter, digit, punctuation or symbol that is not
 * default-ignorable. The braille blank (U+2800) is a symbol that draws nothing, so it does not count.
 */
function isVisible(char: string): boolean {
  return /[\p{L}\p{N}\p{P}\p{S}]/u.test(char) && !HIDDEN_OR_CONTROL.test(char) && char !== '\u2800';
}

/**
 * True when the text has at least one visible character once whitespace, controls and invisible
 * format characters are set aside. Combining marks alone, private-use and unassigned code points
 * do not count either: a reason must say something a reviewer can read.
 */
export function hasVisibleText(text: string): boolean {
  for (const char of text) if (isVisible(char)) return true;
  return false;
}
