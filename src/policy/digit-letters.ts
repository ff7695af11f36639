// Text as a model reads digits and symbols written for letters. A model reads `3xf1ltr4t3` as
// `exfiltrate` and `pa$$w0rd` as `password` (leetspeak), where a pattern sees other characters.
// This reading turns a run of such characters into letters only where it is part of a word: a run
// followed by a letter, or right after one (`pa55`, `pa$$`). Numbers standing alone (`2024`, `3.14`,
// `$100`, `a | b`) are not words and read as written, and `!`, `|` or `@` ending a word (`done!`)
// stays punctuation. Like look-alike-letters.ts it is a reading for deny, review
// and alert patterns only: a token such as `mp3` or `gpt-4o` reads as `mpe` or `gpt-ao`, which can
// only make such a rule match more often, never an allow rule.

/** The letter each character stands for; `1` is read as `i` here and as `l` in a second reading. */
const LETTER: Readonly<Record<string, string>> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '8': 'b',
  '9': 'g',
  '@': 'a',
  $: 's',
  '|': 'l',
  '!': 'i',
};
/** Characters that end a word as punctuation as often as they stand for a letter. */
const ENDS_WORD = '!|@';
/** Runs of the characters above. */
const RUN = /[013-57-9@$|!]+/g;
const isLetter = (code: number) => (code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a;
const isUpper = (code: number) => code >= 0x41 && code <= 0x5a;

/**
 * The text with digits and symbols that stand for letters inside a word read as those letters, `1`
 * as `oneAs`; the same string when there are none. One scan for a single class of characters
 * (an alternation of "letter then digit or digit then letter" scans several times slower), and
 * a string is built only from the first change on.
 */
export function digitLetterText(text: string, oneAs: 'i' | 'l' = 'i'): string {
  let out = '';
  let kept = 0;
  RUN.lastIndex = 0;
  for (let m = RUN.exec(text); m !== null; m = RUN.exec(text)) {
    const run = m[0];
    const at = m.index;
    const before = text.charCodeAt(at - 1);
    const after = text.charCodeAt(at + run.length);
    const followed = isLetter(after);
    if (!followed && !isLetter(before)) continue;
    // Written in capitals (`3XF1L`): read as capitals, so a case-sensitive pattern still matches.
    const upper = isUpper(followed ? after : before);
    let read = '';
    for (const char of run) {
      // `!`, `|` or `@` after a word and before none is punctuation (`done!`), not a letter.
      let letter = followed || !ENDS_WORD.includes(char) ? LETTER[char]! : char;
      if (char === '1') letter = oneAs;
      read += upper ? letter.toUpperCase() : letter;
    }
    if (read === run) continue;
    out += text.slice(kept, at) + read;
    kept = at + run.length;
  }
  return kept === 0 ? text : out + text.slice(kept);
}
