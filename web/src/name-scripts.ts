// Names of people and services that may pass for someone else's. An identity provider may allow a
// display name or subject such as `аudrey` whose first letter is the Cyrillic `а` (U+0430): on an
// approval card's "Asked by" it reads as the trusted colleague `audrey`, and the reviewer decides
// for a stranger. inert.ts shows invisible characters as escapes; these are visible and look like
// other letters. A name is flagged when its letters mix scripts (beyond the mixes a language writes:
// Japanese, Chinese, Korean with Latin, as Unicode's "highly restrictive" level of UTS #39 allows),
// when every letter of it looks like a Latin one (a name wholly Cyrillic that reads `admin`), or when
// it holds a compatibility form of ASCII (fullwidth `ａ`, the Kelvin sign), a letter made to look
// like an ASCII one (`ɑ`), or a look-alike of ASCII punctuation (look-alikes.ts). Accented names and
// names written wholly in one script are left alone (IdentityName.tsx shows the flags).
import { findLookAlikes } from './look-alikes.js';

/** Scripts named in a warning; a letter of any other script counts as "another script". */
const SCRIPTS = [
  'Latin',
  'Greek',
  'Cyrillic',
  'Armenian',
  'Georgian',
  'Hebrew',
  'Arabic',
  'Syriac',
  'Thaana',
  'Nko',
  'Devanagari',
  'Bengali',
  'Gurmukhi',
  'Gujarati',
  'Oriya',
  'Tamil',
  'Telugu',
  'Kannada',
  'Malayalam',
  'Sinhala',
  'Thai',
  'Lao',
  'Tibetan',
  'Myanmar',
  'Khmer',
  'Mongolian',
  'Ethiopic',
  'Cherokee',
  'Canadian_Aboriginal',
  'Tifinagh',
  'Coptic',
  'Runic',
  'Ogham',
  'Vai',
  'Lisu',
  'Yi',
  'Hangul',
  'Hiragana',
  'Katakana',
  'Bopomofo',
  'Han',
] as const;
const SCRIPT_TESTS = SCRIPTS.map((name) => [name, new RegExp(`\\p{Script=${name}}`, 'u')] as const);
/** Characters that belong to no one script: digits, punctuation, symbols, combining marks. */
const SHARED = /[\p{Script=Common}\p{Script=Inherited}]/u;
/** A modifier letter: apostrophes and tone marks some languages write in names. */
const MODIFIER = /\p{Lm}/u;
/** A letter or digit, the characters a script is read from. */
const LETTER = /[\p{L}\p{N}]/u;

/** Mixes a language writes, from UTS #39's "highly restrictive" level; every other mix is flagged. */
const WRITTEN_MIXES: readonly (readonly string[])[] = [
  ['Latin', 'Han', 'Hiragana', 'Katakana'],
  ['Latin', 'Han', 'Bopomofo'],
  ['Latin', 'Han', 'Hangul'],
];

/**
 * Letters of other scripts that look like Latin ones, lower and upper case (after Unicode's
 * confusables.txt, the pairs that look alike in ordinary fonts). Used to say what a character of a
 * mixed name looks like, and to find a name whose every letter looks Latin.
 */
const LATIN_LOOK: Readonly<Record<string, string>> = {
  a: '\u0430\u03B1\u0251',
  c: '\u0441\u03F2\u1D04',
  d: '\u0501',
  e: '\u0435\u04BD',
  g: '\u0261\u0581',
  h: '\u04BB\u0570',
  i: '\u0456\u03B9\u0269\u04CF',
  j: '\u0458\u03F3\u0237',
  l: '\u04CF\u01C0\u05C0',
  n: '\u0578',
  o: '\u043E\u03BF\u0585\u05E1',
  p: '\u0440\u03C1',
  q: '\u051B\u0566',
  s: '\u0455',
  u: '\u057D\u03C5',
  v: '\u03BD\u0475',
  w: '\u051D\u0461',
  x: '\u0445\u03C7',
  y: '\u0443\u04AF\u03B3',
  A: '\u0410\u0391\u13AA\uA4EE',
  B: '\u0412\u0392\u13F4\uA4D0',
  C: '\u0421\u03F9\u13DF\uA4DA',
  D: '\u13A0\uA4D3',
  E: '\u0415\u0395\u13AC\uA4F0',
  H: '\u041D\u0397\u13BB\uA4E7',
  I: '\u0406\u0399\u04C0\uA4F2',
  J: '\u0408\u037F\u13AB\uA4D9',
  K: '\u041A\u039A\u13E6\uA4D7',
  M: '\u041C\u039C\u13B7\uA4DF',
  N: '\u039D\uA4E0',
  O: '\u041E\u039F\u0555\uA4F3',
  P: '\u0420\u03A1\u13E2\uA4D1',
  S: '\u0405\u054F\u13DA\uA4E2',
  T: '\u0422\u03A4\u13A2\uA4D4',
  X: '\u0425\u03A7\uA4EB',
  Y: '\u04AE\u03A5\uA4EC',
  Z: '\u0396\u13C3\uA4DC',
};
const LOOKS_LATIN = new Map<string, string>(
  Object.entries(LATIN_LOOK).flatMap(([latin, chars]) => [...chars].map((c) => [c, latin] as const)),
);
/** Latin-script letters that look like ASCII ones and are not (IPA and small capitals): no ordinary name writes them. */
const LATIN_IMPOSTORS = new Set(['\u0251', '\u0261', '\u0269', '\u0237', '\u01C0', '\u1D04']);

/** A character of a name that may make it pass for another name. */
export interface NameCharacter {
  readonly char: string;
  /** `U+0430`. */
  readonly code: string;
  /** Its script (`Cyrillic`), `another script`, or `no script` (punctuation, symbols). */
  readonly script: string;
  /** The ASCII it looks like, when it looks like some. */
  readonly looksLike: string | null;
}

/** Why a name may pass for another. */
export interface NameFlags {
  /** The scripts of the name's letters, in the order first seen, when they are a mix no language writes. */
  readonly mixedScripts: readonly string[] | null;
  /** The Latin text a name wholly made of Latin look-alikes reads as. */
  readonly readsAs: string | null;
  /** The characters to name, each once, in the order they first occur. */
  readonly characters: readonly NameCharacter[];
}

function scriptOf(char: string): string {
  if (SHARED.test(char) || !LETTER.test(char)) return 'no script';
  for (const [name, test] of SCRIPT_TESTS) if (test.test(char)) return name;
  return 'another script';
}

function codeOf(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The ASCII a character folds to (fullwidth `ａ`, the Kelvin sign `K`, `ﬁ`), when it is not ASCII itself. */
function asciiForm(char: string): string | null {
  if (char.charCodeAt(0) < 0x80) return null;
  const folded = char.normalize('NFKC');
  return folded !== char && /^[\x21-\x7E]+$/.test(folded) ? folded : null;
}

function isWrittenMix(scripts: readonly string[]): boolean {
  return scripts.length <= 1 || WRITTEN_MIXES.some((mix) => scripts.every((s) => mix.includes(s)));
}

/** What may make `name` pass for another name; null when nothing does. */
export function flagName(name: string): NameFlags | null {
  const chars = [...name];
  const counts = new Map<string, number>();
  for (const c of chars) {
    const script = scriptOf(c);
    if (script !== 'no script') counts.set(script, (counts.get(script) ?? 0) + 1);
  }
  const scripts = [...counts.keys()];
  const mixed = !isWrittenMix(scripts);
  // The script most of the name is written in (Latin on a tie): the others' letters are the odd ones.
  const main = scripts.reduce<string | null>(
    (best, s) =>
      best === null ||
      counts.get(s)! > counts.get(best)! ||
      (counts.get(s) === counts.get(best) && s === 'Latin')
        ? s
        : best,
    null,
  );
  const letters = chars.filter((c) => LETTER.test(c) && !SHARED.test(c));
  const wholly = !mixed && main !== 'Latin' && letters.length > 0 && letters.every((c) => LOOKS_LATIN.has(c));
  // Compatibility forms and punctuation look-alikes stand out only among Latin letters: a Japanese or
  // Chinese name writes fullwidth letters and brackets as a matter of course. Modifier letters (the
  // Ukrainian apostrophe U+02BC, the Hawaiian ʻokina) are written in names, and are left alone.
  const latinContext = main === null || main === 'Latin';
  const punctuation = new Map(
    latinContext
      ? findLookAlikes(name)
          .filter((l) => !MODIFIER.test(l.char))
          .map((l) => [l.char, l.resembles] as const)
      : [],
  );

  const found = new Map<string, NameCharacter>();
  for (const c of chars) {
    if (found.has(c)) continue;
    const script = scriptOf(c);
    const folded = asciiForm(c);
    const odd =
      wholly ||
      (latinContext && folded !== null) ||
      punctuation.has(c) ||
      LATIN_IMPOSTORS.has(c) ||
      (mixed && script !== 'no script' && script !== main);
    if (!odd) continue;
    const looksLike = folded ?? LOOKS_LATIN.get(c) ?? punctuation.get(c) ?? null;
    found.set(c, { char: c, code: codeOf(c), script, looksLike });
  }
  if (found.size === 0 && !mixed) return null;
  return {
    mixedScripts: mixed ? scripts : null,
    readsAs: wholly ? chars.map((c) => LOOKS_LATIN.get(c) ?? c).join('') : null,
    characters: [...found.values()],
  };
}
