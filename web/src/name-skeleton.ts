// Names that read as one another without leaving ASCII: `aIice` (a capital I for the l) reads as
// `alice`, `bob0` as `bobo`, `rnallory` as `mallory`, `vvendy` as `wendy`. name-scripts.ts flags a name
// whose own characters betray it (another script, a compatibility form); these are ordinary ASCII,
// so no one name can be flagged, only a pair: two different names shown on one page whose skeletons
// are equal (Unicode TR39's skeleton, over ASCII: each confusable character or sequence mapped to one
// prototype, then compared). Case is folded too: identities are told apart by exact name, and
// `Audrey` asking reads as `audrey` to a reviewer who knows one audrey. Characters outside ASCII are
// left as they are: name-scripts.ts marks them on the name that holds them.

/** ASCII characters that look like another, read before case is folded (`I` is an `l`, not an `i`). */
const SINGLE: Readonly<Record<string, string>> = {
  I: 'l',
  '1': 'l',
  '|': 'l',
  '0': 'o',
};

/** Letter pairs that, side by side in most sans-serif fonts, read as one letter (after confusables.txt). */
const SEQUENCES = [
  ['rn', 'm'],
  ['vv', 'w'],
  ['cl', 'd'],
] as const;
const SEQUENCE = new RegExp(SEQUENCES.map(([seq]) => seq).join('|'), 'g');
const PROTOTYPE = new Map<string, string>(SEQUENCES);

/**
 * The form two names that look alike share: confusable characters mapped to one prototype, ASCII
 * upper case to lower, confusable pairs to the letter they read as. Idempotent; a name of none of
 * those characters is its own skeleton.
 */
export function nameSkeleton(name: string): string {
  let mapped = '';
  for (const c of name) {
    const single = SINGLE[c];
    if (single !== undefined) mapped += single;
    else if (c >= 'A' && c <= 'Z') mapped += c.toLowerCase();
    else mapped += c;
  }
  // The prototypes (`m`, `w`, `d`) start and end no pair, so one pass leaves none behind.
  return mapped.replace(SEQUENCE, (seq) => PROTOTYPE.get(seq)!);
}

/** Whether two different names look alike: one may be read as the other. */
export function namesLookAlike(a: string, b: string): boolean {
  return a !== b && nameSkeleton(a) === nameSkeleton(b);
}
