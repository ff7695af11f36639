// Runs of right-to-left letters (Hebrew, Arabic and the other scripts written from the right) in
// text already made inert. A browser lays such letters out right to left, and with them every digit
// and neutral character (spaces, operators, punctuation) that sits between two of them: a held
// `update accounts set balance = /*א*/ 100 - 5000 /*ב*/` was drawn as `… = /*ב*/ 5000 - 100 /*א*/`
// on the approval card, no bidi control needed, so a reviewer read 4,900 where -4,900 would be
// written. A terminal, and psql in it, shows the characters in the order they came. Each run of
// right-to-left letters (with their marks and the spaces between them, nothing else) is isolated
// and drawn right to left, a word as its readers write it; everything around the runs is drawn in
// the order recorded (InertText.tsx, styles.css: `.recorded`).

/** Blocks whose letters are right to left: Hebrew to Arabic Extended-A, their presentation forms, and the old and newer right-to-left scripts of the supplementary planes. */
const RTL = '\\u0590-\\u08FF\\uFB1D-\\uFDFF\\uFE70-\\uFEFE\\u{10800}-\\u{10FFF}\\u{1E800}-\\u{1EFFF}';
/** A run: right-to-left letters and their marks, with the spaces between its words, nothing else. */
const RUN = new RegExp(`[${RTL}](?:[${RTL}\\p{M} ]*[${RTL}\\p{M}])?`, 'gu');

/** A run of right-to-left letters that the page isolates. */
export interface RtlRun {
  readonly rtl: string;
}

/** The text cut around its runs of right-to-left letters: strings as they are, runs to isolate. */
export function splitRtlRuns(text: string): (string | RtlRun)[] {
  const parts: (string | RtlRun)[] = [];
  let at = 0;
  for (const match of text.matchAll(RUN)) {
    if (match.index > at) parts.push(text.slice(at, match.index));
    parts.push({ rtl: match[0] });
    at = match.index + match[0].length;
  }
  if (at < text.length || parts.length === 0) parts.push(text.slice(at));
  return parts;
}
