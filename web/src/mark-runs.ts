// Long runs of combining marks, found in text already made inert (inert.ts leaves combining marks
// as they are: accents, vowel signs, and the marks of scripts that stack two or three on a letter).
// A browser stacks every mark of a run on the letter before it, above or below the line, and draws
// the stack over the lines around it: `… where id = 1 /*a` and 2,000 U+0333 marks before `*/ or
// true` painted a solid bar down the approval card, over the clause that mattered and its
// neighbours. Such a run is shown as a marker that counts it; the letter it sits on stays, with the
// first few marks, so ordinary accented text is drawn as written.

/** A run of combining marks that the page shows as a marker instead. */
export interface MarkRun {
  /** Marks in the run beyond those drawn. */
  readonly marks: number;
  /** What the marker says. */
  readonly label: string;
}

/** Marks kept on a letter: more than any script writes on one (Vietnamese two, Tibetan stacks a few). */
const KEPT_MARKS = 4;
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
