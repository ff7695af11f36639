// The readings of text a model (or a person, or a tool that hands text on to one) reads other than
// as written, chained: hidden characters revealed (hidden-text.ts), then look-alike letters read as
// Latin ones (look-alike-letters.ts), then digits and symbols inside words read as letters
// (digit-letters.ts; `1` as `i`, and in one more reading as `l`). Each reading only adds matches for
// deny, review and alert patterns (docs/policy.md), so it is made only when it differs from the
// one before it: ASCII prose costs one quick scan per step.
import { digitLetterText } from './digit-letters.js';
import { revealedText } from './hidden-text.js';
import { latinLookAlikeText } from './look-alike-letters.js';

/** The other readings of `pieces`, each piece read on its own and the pieces joined by newlines. */
export function modelReadings(pieces: readonly string[]): string[] {
  const readings: string[] = [];
  const shown = pieces.map(revealedText);
  if (differs(shown, pieces)) readings.push(shown.join('\n'));
  const latin = shown.map(latinLookAlikeText);
  if (differs(latin, shown)) readings.push(latin.join('\n'));
  // Digits for letters are common outside words too (versions, hashes, code), so these two
  // readings hold only the pieces they change: the pieces as written are read already.
  const asI: string[] = [];
  const asL: string[] = [];
  for (const piece of latin) {
    const i = digitLetterText(piece, 'i');
    if (i === piece) continue;
    asI.push(i);
    const l = piece.includes('1') ? digitLetterText(piece, 'l') : i;
    if (l !== i) asL.push(l);
  }
  if (asI.length > 0) readings.push(asI.join('\n'));
  if (asL.length > 0) readings.push(asL.join('\n'));
  return readings;
}

function differs(read: readonly string[], from: readonly string[]): boolean {
  return read.some((s, i) => s !== from[i]);
}
