// What must never reach a reviewer's terminal from recorded content, listed by hand (not by the
// Unicode properties the renderer uses) so that the check does not share the renderer's mistakes.
const UNSAFE_RANGES: readonly (readonly [number, number, string])[] = [
  [0x00, 0x1f, 'C0 control'],
  [0x7f, 0x9f, 'DEL or C1 control'],
  [0x00ad, 0x00ad, 'soft hyphen'],
  [0x034f, 0x034f, 'combining grapheme joiner'],
  [0x061c, 0x061c, 'Arabic letter mark'],
  [0x115f, 0x1160, 'Hangul filler'],
  [0x180e, 0x180e, 'Mongolian vowel separator'],
  [0x200b, 0x200f, 'zero-width or directional mark'],
  [0x2028, 0x202e, 'line separator or bidi embedding/override'],
  [0x2060, 0x2069, 'word joiner, invisible operator or bidi isolate'],
  [0x3164, 0x3164, 'Hangul filler'],
  [0xd800, 0xdfff, 'lone surrogate'],
  [0xfe00, 0xfe0f, 'variation selector'],
  [0xfeff, 0xfeff, 'zero-width no-break space'],
  [0xffa0, 0xffa0, 'Hangul filler'],
  [0xe0000, 0xe007f, 'tag'],
  [0xe0100, 0xe01ef, 'variation selector'],
];

/** The first unsafe character of terminal output (line feeds allowed), or null. */
export function firstUnsafe(output: string): string | null {
  let offset = 0;
  for (const char of output) {
    const cp = char.codePointAt(0)!;
    const hit = cp === 0x0a ? undefined : UNSAFE_RANGES.find(([lo, hi]) => cp >= lo && cp <= hi);
    if (hit) {
      const around = JSON.stringify(output.slice(Math.max(0, offset - 30), offset + 30));
      return `${hit[2]} U+${cp.toString(16).toUpperCase()} at ${offset} near ${around}`;
    }
    offset += char.length;
  }
  return null;
}
