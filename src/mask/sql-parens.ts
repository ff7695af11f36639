// Matching parentheses of a tokenized statement, found once, so that the readers that bind values
// to columns (sql-columns.ts, sql-rows.ts) step over a parenthesised group in one move.

/** The part of a token these readers look at. */
export interface ParenToken {
  readonly kind: string;
  readonly text: string;
}

/**
 * The index of the `)` matching each `(` (-1 where none does), found in one pass: scanning for it
 * from each `(` made statements of many nested or unclosed groups quadratic (a
 * 620 KB one took 10 s; a 16 MiB one, which a client may send, hours).
 */
export function matchingParens(tokens: readonly ParenToken[]): Int32Array {
  const match = new Int32Array(tokens.length).fill(-1);
  const open: number[] = [];
  for (let q = 0; q < tokens.length; q++) {
    const t = tokens[q]!;
    if (t.kind !== 'punct') continue;
    if (t.text === '(') open.push(q);
    else if (t.text === ')' && open.length > 0) match[open.pop()!] = q;
  }
  return match;
}

/** The `(` of each `)` (-1 where none does), from matchingParens's `)` of each `(`. */
export function openers(match: Int32Array): Int32Array {
  const opener = new Int32Array(match.length).fill(-1);
  for (let q = 0; q < match.length; q++) if (match[q]! >= 0) opener[match[q]!] = q;
  return opener;
}

/**
 * The index of the END closing each CASE (-1 where none does), found in one pass, so that a reader
 * steps over a CASE in one move: stepping through nested CASEs token by token from each of them
 * read a statement of many nested ones again per level. `END CASE` (a procedure's CASE statement)
 * does not open one.
 */
export function matchingCases(tokens: readonly ParenToken[]): Int32Array {
  const match = new Int32Array(tokens.length).fill(-1);
  const open: number[] = [];
  for (let q = 0; q < tokens.length; q++) {
    const t = tokens[q]!;
    if (t.kind !== 'ident') continue;
    if (t.text === 'case' && tokens[q - 1]?.text !== 'end') open.push(q);
    else if (t.text === 'end' && open.length > 0) match[open.pop()!] = q;
  }
  return match;
}
