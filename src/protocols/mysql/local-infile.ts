// What the record of a LOAD DATA | XML LOCAL INFILE may say of the file the client sends: its name
// and size always; its SHA-256 unless the load names a secret column (`masking.secret_names`) in
// its column list or SET (`(id, @p) SET password = @p`), since the digest of a short file of
// passwords is found by guessing, as a secret cell's is (docs/masking.md). Until 7 December every
// file's SHA-256 was recorded. A load that names no columns fills the table's, which only the
// server knows: its digest is still recorded (name the columns to have it withheld).
// The rows themselves are not recorded: LOAD DATA's FIELDS, LINES, ESCAPED BY, IGNORE and
// CHARACTER SET options would have to be read as the server reads them to split the file into the
// table's columns, and a line recorded undecoded would keep a secret column's values in clear.
import type { Token } from './sql-lexer.js';

const isWord = (t: Token | undefined, ...words: string[]) => t?.kind === 'word' && words.includes(t.text);
const isName = (t: Token | undefined) => t?.kind === 'word' || t?.kind === 'ident';

/**
 * The columns a LOCAL load names, its column list's and its SET's targets, or null when it names
 * none (or the statement is not a LOCAL load).
 */
export function localLoadColumns(tokens: readonly Token[]): string[] | null {
  if (!isWord(tokens[0], 'load')) return null;
  const infile = tokens.findIndex((t) => isWord(t, 'infile'));
  if (infile < 0 || !tokens.slice(0, infile).some((t) => isWord(t, 'local'))) return null;
  const columns: string[] = [];
  let listed = false;
  let depth = 0;
  let inSet = false;
  for (let i = infile + 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'punct' && t.text === '(') {
      // The column list: a group at the top level that is not a PARTITION's.
      if (depth === 0 && !inSet && !isWord(tokens[i - 1], 'partition')) {
        listed = true;
        for (let j = i + 1; j < tokens.length && tokens[j]!.text !== ')'; j++)
          if (isName(tokens[j]) && tokens[j + 1]?.text !== '.') columns.push(tokens[j]!.text);
      }
      depth++;
    } else if (t.kind === 'punct' && t.text === ')') depth--;
    else if (depth === 0 && isWord(t, 'set') && !isWord(tokens[i - 1], 'character')) inSet = true;
    else if (
      depth === 0 &&
      inSet &&
      isName(t) &&
      (tokens[i + 1]?.text === '=' || tokens[i + 1]?.text === '.')
    ) {
      // `SET col = …` or `SET t.col = …`: the target is the last part of the name.
      let k = i;
      while (tokens[k + 1]?.text === '.' && isName(tokens[k + 2])) k += 2;
      if (tokens[k + 1]?.text === '=' && (isWord(tokens[i - 1], 'set') || tokens[i - 1]?.text === ','))
        columns.push(tokens[k]!.text);
      i = k;
    }
  }
  return listed ? columns : null;
}

/** Whether the file of every LOCAL load among `statements` may be recorded by its SHA-256. */
export function infileDigestAllowed(
  statements: readonly (readonly Token[])[],
  isSecretName: (name: string) => boolean,
): boolean {
  return statements.every((tokens) => !(localLoadColumns(tokens) ?? []).some(isSecretName));
}
