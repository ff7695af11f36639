// Long runs of combining marks, found in text already made inert (inert.ts leaves combining marks
// as they are: accents, vowel signs, and the marks of scripts that stack two or three on a letter).
// A letter and every mark after it are one character to the browser, which never wraps inside one:
// `… where id = 1 /*a` and 2,000 U+0333 marks (which the console's monospace font draws with a width
// of their own) before `*/ or true` made one unbreakable run 15,661 px wide on an approval card
// 1,222 px wide, so the clause that mattered lay far to the right, out of view. Marks without a
// width draw over one another instead: thousands of them look like one. Either way what was
// recorded is not what is seen. Such a run is shown as a marker that counts it; the letter it sits
// on stays, with the first few marks, so ordinary accented text is drawn as written.

/** A run of combining marks that the page shows as a marker instead. */
export interface MarkRun {
  /** Marks in the run beyond those drawn. */
  readonly marks: number;
  /** What the marker says. */
  readonly label: string;
}

/** Marks kept on a letter: more than any script writes on one (Vietnamese two, Tibetan stacks a few). */
export const KEPT_MARKS = 4;
/** A run of more marks than KEPT_MARKS: the kept ones, then the rest. */
const LONG_RUN = new RegExp(`(\\p{M}{${KEPT_MARKS}})(\\p{M}+)`, 'gu');

/** The text cut around its long runs of combining marks: strings as they are, runs as markers. */
export function splitMarkRuns(text: string): (string | MarkRun)[] {
  const parts: (string | MarkRun)[] = [];
  let at = 0;
  for (const match of text.matchAll(LONG_RUN)) {
    const kept = match[1]!;
    const rest = [...match[2]!].length;
    parts.push(text.slice(at, match.index + kept.length));
    parts.push({ marks: rest, label: `⟪${rest} more combining mark${rest === 1 ? '' : 's'}⟫` });
    at = match.index + match[0].length;
  }
  if (at < text.length || parts.length === 0) parts.push(text.slice(at));
  return parts;
}
