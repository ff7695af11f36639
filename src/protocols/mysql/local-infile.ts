// What the record of a LOAD DATA | XML LOCAL INFILE may say of the file the client sends: its name
// and size always; its SHA-256 only when the load lists the columns it fills and none of them, in
// its column list or SET (`(id, @p) SET password = @p`), is a secret column (`masking.secret_names`),
// since the digest of a short file of passwords is found by guessing, as a secret cell's is
// (docs/masking.md). A load that names no columns fills every column of the table, which only the
// server knows (a `password` among them): its digest is withheld too. Until 7 December every
// file's SHA-256 was recorded, a load's naming no columns included.
// The rows themselves are not recorded: LOAD DATA's FIELDS, LINES, ESCAPED BY, IGNORE and
// CHARACTER SET options would have to be read as the server reads them to split the file into the
// table's columns, and a line recorded undecoded would keep a secret column's values in clear.
import type { Token } from './sql-lexer.js';

const isWord = (t: Token | undefined, ...words: string[]) => t?.kind === 'word' && words.includes(t.text);
const isName = (t: Token | undefined) => t?.kind === 'word' || t?.kind === 'ident';

/** Whether the statement is a `LOAD DATA | XML … LOCAL INFILE`. */
function isLocalLoad(tokens: readonly Token[]): boolean {
  if (!isWord(tokens[0], 'load')) return false;
  const infile = tokens.findIndex((t) => isWord(t, 'infile'));
  return infile > 0 && tokens.slice(0, infile).some((t) => isWord(t, 'local'));
}

/**
 * The columns a LOCAL load names, its column list's and its SET's targets, or null when it names
 * none (or the statement is not a LOCAL load).
 */
export function localLoadColumns(tokens: readonly Token[]): string[] | null {
  if (!isLocalLoad(tokens)) return null;
  const infile = tokens.findIndex((t) => isWord(t, 'infile'));
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

/** Why the file of a LOCAL load is recorded without its SHA-256. */
export const DIGEST_WITHHELD = {
  secretColumn: 'the load names a secret column',
  noColumnList: 'the load names no columns, so it may fill a secret column',
  notRead: 'Vigil did not read the statement as a LOCAL load',
} as const;

/**
 * `true` when the file of every LOCAL load among `statements` may be recorded by its SHA-256, else
 * why not (the first load that may fill a secret column).
 */
export function infileDigest(
  statements: readonly (readonly Token[])[],
  isSecretName: (name: string) => boolean,
): true | string {
  let loads = 0;
  for (const tokens of statements) {
    if (!isLocalLoad(tokens)) continue;
    loads++;
    const columns = localLoadColumns(tokens);
    if (columns === null) return DIGEST_WITHHELD.noColumnList;
    if (columns.some(isSecretName)) return DIGEST_WITHHELD.secretColumn;
  }
  // A file asked for where Vigil read no LOCAL load is one it cannot tell the columns of.
  return loads > 0 ? true : DIGEST_WITHHELD.notRead;
}
