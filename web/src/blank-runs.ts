// Long runs of characters that draw nothing, found in text already made inert (inert.ts: what is
// left blank is line feeds and space separators such as U+0020, U+00A0 and U+3000, and the braille
// blank U+2800). A held statement `… where id = 1` followed by 300 line feeds (or 20,000 no-break
// spaces, which wrap into as many empty lines) and `or true` showed a reviewer its harmless
// beginning and a blank card: the clause that mattered was far below. Such a run is shown as a
// marker that says how much was there, so the text on both sides of it stays in view together.
// Ordinary layout (indentation, a blank line between paragraphs) is left as it is.

/** A run of blank characters that the page shows as a marker instead. */
export interface BlankRun {
  /** Line feeds in the run. */
  readonly lines: number;
  /** Characters in the run, line feeds included. */
  readonly chars: number;
  /** What the marker says. */
  readonly label: string;
}

/** Blank characters of inert text: line feeds, space separators, and the braille blank. */
const BLANK = /[\n\p{Zs}\u2800]+/gu;
/** A run with more line feeds than this is marked (two blank lines between paragraphs are not). */
const MAX_LINES = 3;
/** A run longer than this is marked, line feeds or not. */
const MAX_CHARS = 64;

function label(lines: number, chars: number): string {
  const others = chars - lines;
  const parts = [
    lines > 0 ? `${lines} line break${lines === 1 ? '' : 's'}` : '',
    others > 0 ? `${others} blank character${others === 1 ? '' : 's'}` : '',
  ].filter((p) => p !== '');
  return `⟪${parts.join(' and ')}⟫`;
}

/** The text cut around its long blank runs: strings as they are, runs as markers. */
export function splitBlankRuns(text: string): (string | BlankRun)[] {
  const parts: (string | BlankRun)[] = [];
  let at = 0;
  for (const match of text.matchAll(BLANK)) {
    const run = match[0];
    const lines = run.split('\n').length - 1;
    const chars = [...run].length;
    if (lines <= MAX_LINES && chars <= MAX_CHARS) continue;
    if (match.index > at) parts.push(text.slice(at, match.index));
    // A line break on each side keeps the lines around the run as lines.
    const before = lines > 0 ? '\n' : '';
    if (before) parts.push(before);
    parts.push({ lines, chars, label: label(lines, chars) });
    if (before) parts.push('\n');
    at = match.index + run.length;
  }
  if (at < text.length) parts.push(text.slice(at));
  return parts;
}
