// Characters that look like the ASCII punctuation a shell or a database reads as syntax, and are
// not: to bash, `ʺ` (U+02BA) is a letter like any other, so a held `echo ʺsafe; rm -rf /srv/dataʺ`
// reads as one echo of a quoted string on the approval card and runs `rm -rf /srv/data`; `＃`
// starts no comment, `−` is no minus, and a no-break space separates no words. inert.ts shows
// invisible characters as escapes; these are visible, and look like something else. The card names
// each of them in the statement or command it holds (HeldAction.tsx).

/** Look-alikes that Unicode's compatibility folding (NFKC) does not turn into the ASCII they resemble. */
const RESEMBLES: Readonly<Record<string, string>> = {
  '"': '\u02BA\u02DD\u05F4\u201C\u201D\u201E\u201F\u2033\u3003',
  "'": '\u00B4\u02B9\u02BC\u02C8\u05F3\u2018\u2019\u201A\u201B\u2032\uA78C',
  '`': '\u02CB\u2035',
  '-': '\u02D7\u06D4\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212',
  '/': '\u2044\u2215\u2571\u29F8',
  '\\': '\u2216\u2572\u29F5\u29F9',
  '*': '\u066D\u204E\u2217\u2731',
  '|': '\u01C0\u05C0\u2223\u23D0\uFFE8',
  '!': '\u01C3\u2D51',
  ':': '\u02D0\u0589\u05C3\u2236\uA789',
  '<': '\u02C2\u2039',
  '>': '\u02C3\u203A',
  '=': '\u30A0\uA78A',
};
const TABLE = new Map<string, string>(
  Object.entries(RESEMBLES).flatMap(([ascii, chars]) => [...chars].map((c) => [c, ascii] as const)),
);

/** A character of the text that looks like ASCII syntax, what it looks like, and how often it occurs. */
export interface LookAlike {
  readonly char: string;
  /** `U+02BA`. */
  readonly code: string;
  readonly resembles: string;
  readonly count: number;
}

function resemblance(char: string): string | null {
  const listed = TABLE.get(char);
  if (listed) return listed;
  // Fullwidth and small forms, the Greek question mark (`;`), the no-break and other spaces.
  const folded = char.normalize('NFKC');
  return folded.length === 1 && /[ -/:-@[-`{-~]/.test(folded) ? folded : null;
}

/** The look-alikes in `text`, each once, in the order they first occur. */
export function findLookAlikes(text: string): LookAlike[] {
  const found = new Map<string, { resembles: string; count: number }>();
  for (const char of text) {
    if (char.charCodeAt(0) < 0x80) continue;
    const seen = found.get(char);
    if (seen) {
      seen.count++;
      continue;
    }
    const resembles = resemblance(char);
    if (resembles !== null) found.set(char, { resembles, count: 1 });
  }
  return [...found].map(([char, { resembles, count }]) => ({
    char,
    code: `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`,
    resembles,
    count,
  }));
}
