// The text the scanner reads: what a reader copies a secret out of. Invisible characters are set
// aside (invisible-characters.ts), and full-width letters, digits and token punctuation (U+FF10
// `０`, U+FF21 `Ａ`, U+FF3F `＿`: what an East Asian input method types, and what Unicode's NFKC
// folds back to ASCII) are read as the ASCII characters they are forms of. `ＡＫＩＡ…` or a known
// credential typed in full-width is the same key to anyone who reads it, and to any system that
// normalises its input; until 7 December it was recorded in clear. Each full-width character
// stands for one ASCII character, so offsets map back one to one.
import { mayBeInvisible, VisibleReading, visibleReading } from './invisible-characters.js';

/** The first and last code units of the full-width forms that may be folded. */
const FULL_WIDTH_FIRST = 0xff0b;
const FULL_WIDTH_LAST = 0xff5a;
/** Full-width to ASCII is a fixed distance. */
const FULL_WIDTH_SHIFT = 0xfee0;

/**
 * Folded: digits, letters, and the punctuation tokens and keys are made of (`+ - . / = _`). Not
 * the full-width colon, comma or brackets, which Chinese and Japanese prose writes everywhere and
 * no token holds.
 */
const FOLDED = new Uint8Array(FULL_WIDTH_LAST - FULL_WIDTH_FIRST + 1);
for (const c of '+-./=_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz') {
  FOLDED[c.charCodeAt(0) + FULL_WIDTH_SHIFT - FULL_WIDTH_FIRST] = 1;
}

function isFolded(code: number): boolean {
  return code >= FULL_WIDTH_FIRST && code <= FULL_WIDTH_LAST && FOLDED[code - FULL_WIDTH_FIRST] === 1;
}

/** The ASCII character a full-width form is read as, or -1 when it is read as itself. */
export function foldedCode(code: number): number {
  return isFolded(code) ? code - FULL_WIDTH_SHIFT : -1;
}

const INVISIBLE_OR_FULL_WIDTH =
  /[\p{Cf}\p{Default_Ignorable_Code_Point}]|[\uff0b\uff0d-\uff0f\uff10-\uff19\uff1d\uff21-\uff3a\uff3f\uff41-\uff5a]/gu;

/**
 * The plain reading of `text`, or null when it is the text itself (the usual case, found without a
 * scan for ASCII). Without a full-width form, exactly the visible reading.
 */
export function plainReading(text: string): VisibleReading | null {
  // V8 knows when a string is one byte per character; ASCII has nothing to fold or set aside.
  if (Buffer.byteLength(text, 'utf8') === text.length) return null;
  let fullWidth = false;
  let invisible = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (isFolded(code)) fullWidth = true;
    else if (mayBeInvisible(code)) invisible = true;
  }
  if (!fullWidth) return invisible ? visibleReading(text) : null;
  const origin = new Int32Array(text.length + 1);
  let reading = '';
  let n = 0;
  let pos = 0;
  for (const m of text.matchAll(INVISIBLE_OR_FULL_WIDTH)) {
    for (let i = pos; i < m.index; i++) origin[n++] = i;
    reading += text.slice(pos, m.index);
    const code = m[0].charCodeAt(0);
    if (m[0].length === 1 && isFolded(code)) {
      origin[n++] = m.index;
      reading += String.fromCharCode(code - FULL_WIDTH_SHIFT);
    }
    pos = m.index + m[0].length;
  }
  for (let i = pos; i < text.length; i++) origin[n++] = i;
  reading += text.slice(pos);
  origin[n] = text.length;
  return new VisibleReading(reading, origin.subarray(0, n + 1), text.length);
}
