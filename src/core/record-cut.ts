// Text kept in a record up to a cap. Where the cap falls inside a word (a key, a password, the
// groups of a card number), the start of that word is dropped with the rest: cut short, a secret no
// longer has the shape or length the masker knows it by, and its first characters would be stored
// in clear.

/** Where a cut may end: after whitespace, punctuation that separates values, quotes and brackets. */
const SEPARATORS = /[\s,;{}[\]<>()"'`|&]/;

/** Whether a cut may fall just after `ch` without cutting a word. */
export function isCutSeparator(ch: string): boolean {
  return SEPARATORS.test(ch);
}

/**
 * The first `max` characters of `text` (all of it when it is not longer), ending at a separator:
 * the characters between the last separator and the cut are dropped, up to `maxDrop` of them (a
 * longer unbroken run is kept as cut, to be judged as the long run it is).
 */
export function cutForRecord(text: string, max: number, maxDrop = 4096): string {
  if (text.length <= max) return text;
  return withoutCutWord(text.slice(0, max), text[max]!, maxDrop);
}

/**
 * `cut`, the start of a longer text whose next character is `next`, without the word the cut fell
 * in (see cutForRecord). `next` may be '' when it is unknown: the cut is then taken to be inside a word.
 */
export function withoutCutWord(cut: string, next: string, maxDrop = 4096): string {
  // The cut is already between two values when the next character is a separator.
  if (next !== '' && SEPARATORS.test(next)) return cut;
  // Dropping the characters after position i: cut.length - 1 - i of them.
  for (let i = cut.length - 1; i >= 0 && cut.length - 1 - i <= maxDrop; i--) {
    if (SEPARATORS.test(cut[i]!)) return cut.slice(0, i + 1);
  }
  return cut.length <= maxDrop ? '' : cut;
}
