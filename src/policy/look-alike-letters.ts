// Text as a model reads letters that only look Latin. A model reads `ехfiltrаte` (Cyrillic е and а)
// as `exfiltrate`, and `ëxfïlträtë` too, where a pattern sees other letters. This reading folds the
// letters of other scripts that are drawn like a Latin letter (Cyrillic, Greek, Armenian, Cherokee,
// Lisu, Coptic, Canadian syllabics, Latin small capitals and IPA letters) into that letter, drops
// accents and other combining marks, takes the stroke off a letter (ł, ø), and reads ß as ss and
// æ, œ as ae, oe. It is a reading for deny, review and alert patterns only, applied after
// hidden-text.ts: a word of Russian or Greek may read as a Latin one here, which can only make
// such a rule match more often (fail closed), never an allow rule. Compatibility forms (fullwidth,
// mathematical, circled letters) are folded by NFKC there, so they are not listed here. The table
// is Vigil's own, from the look-alikes Unicode lists for the Latin letters (UTS #39 confusables),
// narrowed to letters a reader takes for the Latin one.

/**
 * Each Latin letter after the look-alikes of it, one group per letter. Small capitals (ᴀ, ɪ, ʀ) are
 * drawn at the height of lower-case letters and read as them.
 */
const GROUPS: readonly (readonly [string, string])[] = [
  ['a', 'аɑα⍺ᴀ'],
  ['A', 'АΑᎪꓮᗅ'],
  ['b', 'ЬьƅᑲƀᏏʙ'],
  ['B', 'ВΒᏴꓐᗷβ'],
  ['c', 'сϲᴄⲥꮯ'],
  ['C', 'СϹᏟꓚⲤ'],
  ['d', 'ԁᑯꓒđɗᴅ'],
  ['D', 'ᎠꓓᗞĐ'],
  ['e', 'еҽ℮ᥱꬲɇᴇ'],
  ['E', 'ЕΕᎬꓰɆ'],
  ['f', 'ꞙƒꜰ'],
  ['F', 'ϜꓝƑ'],
  ['g', 'ɡցᶃǥɢ'],
  ['G', 'ԌᏀꓖǤ'],
  ['h', 'һհᏂħʜ'],
  ['H', 'НΗᎻꓧᕼⲎĦ'],
  ['i', 'іıɩιᎥɨɪ'],
  ['I', 'ІΙӀꓲⵏƗ'],
  ['j', 'јϳȷᴊ'],
  ['J', 'ЈᎫꓙͿ'],
  ['k', 'κкᴋꝁ'],
  ['K', 'КΚᏦꓗⲔ'],
  ['l', 'ӏǀłƚʟ'],
  ['L', 'ᏞꓡⳐŁ'],
  ['m', 'мᴍ'],
  ['M', 'МΜᎷꓟϺⲘ'],
  ['n', 'ոɴη'],
  ['N', 'ΝꓠⲚ'],
  ['o', 'оοօσᴏⲟø'],
  ['O', 'ОΟՕꓳⲞØ'],
  ['p', 'рρⲣᴘ'],
  ['P', 'РΡᏢꓑⲢ'],
  ['q', 'ԛզ'],
  ['Q', 'Ԛⵕ'],
  ['r', 'ʀ'],
  ['R', 'ᎡᏒꓣ'],
  ['s', 'ѕꜱꮪ'],
  ['S', 'ЅՏᏚꓢ'],
  ['t', 'ᴛŧ'],
  ['T', 'ТΤᎢꓔŦ'],
  ['u', 'υսᴜʋʉ'],
  ['U', 'ՍꓴᑌɄ'],
  ['v', 'νѵᴠ'],
  ['V', 'ѴᏙꓦⴸ'],
  ['w', 'ԝѡᴡա'],
  ['W', 'ԜᏔꓪ'],
  ['x', 'хχⲭ'],
  ['X', 'ХΧꓫⲬ'],
  ['y', 'уγүʏ'],
  ['Y', 'ΥҮᎩᎽꓬⲨ'],
  ['z', 'ᴢꮓƶ'],
  ['Z', 'ΖᏃꓜⲌƵ'],
];

/**
 * Latin letters read as two: a model reads `paßword` as `password` (ß is how German writes ss, and
 * what full case folding makes of it), and the ligatures æ and œ as the pair of letters they join.
 */
const TWO_LETTERS: ReadonlyMap<number, string> = new Map(
  Object.entries({ ß: 'ss', ẞ: 'SS', æ: 'ae', Æ: 'AE', œ: 'oe', Œ: 'OE' }).map(([c, l]) => [
    c.charCodeAt(0),
    l,
  ]),
);

/** What the reading makes of each UTF-16 code unit: 0 keeps it, DROP drops it, TWO reads it as TWO_LETTERS says, else the Latin letter's code. */
const FOLD = new Uint16Array(0x10000);
const DROP = 0xffff;
const TWO = 0xfffe;
for (const code of TWO_LETTERS.keys()) FOLD[code] = TWO;
/**
 * The combining diacritical marks: the blocks of accents that NFD takes off Latin, Greek and
 * Cyrillic letters. Marks of other scripts (Indic vowel signs) never make a Latin letter.
 */
const COMBINING_MARKS: readonly [number, number][] = [
  [0x0300, 0x036f],
  [0x1ab0, 0x1aff],
  [0x1dc0, 0x1dff],
  [0x20d0, 0x20ff],
  [0xfe20, 0xfe2f],
];
for (const [from, to] of COMBINING_MARKS) FOLD.fill(DROP, from, to + 1);
for (const [latin, lookAlikes] of GROUPS) {
  // Each look-alike and its NFKC form (the text comes revealed, hidden-text.ts); all are one code unit.
  for (const char of lookAlikes) {
    for (const form of [char, char.normalize('NFKC')]) FOLD[form.charCodeAt(0)] = latin.charCodeAt(0);
  }
}

/**
 * Where a look-alike, a combining mark or a letter that NFD splits into a Latin, Greek or Cyrillic
 * letter and a mark may be: a superset (whole blocks), in few ranges, so that typographic English
 * (curly quotes, dashes), CJK and emoji skip the fold after one quick scan. The tests check it
 * against every code point.
 */
const MAYBE_LOOK_ALIKE =
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: it matches code units one at a time, combining marks included, on purpose.
  /[\u00c0-\u05ff\u1000-\u1fff\u20d0-\u20ff\u2100-\u214f\u237a\u2c00-\u2dff\ua400-\uabff\ufe20-\ufe2f]/;

/**
 * The text with look-alike letters read as the Latin letters they look like and combining marks
 * dropped, or the same string when it has neither. Expects text already revealed (hidden-text.ts).
 */
export function latinLookAlikeText(text: string): string {
  if (Buffer.byteLength(text, 'utf8') === text.length || !MAYBE_LOOK_ALIKE.test(text)) return text;
  const decomposed = text.normalize('NFD');
  // One pass over code units with a table, copying the runs between changes: a regular expression
  // per step, or building into a buffer read back as UTF-16, was slower (bench/RESULTS.md).
  let folded = '';
  let kept = 0;
  for (let i = 0; i < decomposed.length; i++) {
    const to = FOLD[decomposed.charCodeAt(i)]!;
    if (to === 0) continue;
    folded += decomposed.slice(kept, i);
    if (to === TWO) folded += TWO_LETTERS.get(decomposed.charCodeAt(i))!;
    else if (to !== DROP) folded += String.fromCharCode(to);
    kept = i + 1;
  }
  return kept === 0 ? text : folded + decomposed.slice(kept);
}
