// Values an INSERT (or MySQL's REPLACE) binds to columns by position. With a column list, a value
// is bound to its column and masked when the column's name says secret. Without one (`INSERT INTO
// users VALUES (1, 'ann', '…')`, mysqldump's default), which value is the password lies in the
// table's definition, which the masker does not read; so every value of such an INSERT is masked
// except a bare number, NULL, DEFAULT, TRUE or FALSE: in an append-only record a password cannot
// be taken back, a masked name can be read at the source. Until 6 December these shapes were left
// to the text rules, and so were `VALUE (…)`, an INSERT without INTO, a MySQL PARTITION clause,
// PostgreSQL's OVERRIDING … VALUE, `ROW(…)` rows and a parenthesised SELECT even with a column
// list: a password of words in any of them was recorded as typed.
import type { BindFrom, ClauseToken } from './sql-clauses.js';
import { bindRows, columnList, type PositionColumn, secretPositions } from './sql-lists.js';
import { afterWith, bindSelectBranches } from './sql-subquery-lists.js';
import { bindValuesAliases, ReferenceRecorder } from './sql-values-aliases.js';

/** Words between INSERT and its table that change nothing here (MySQL's modifiers). */
const MODIFIERS = new Set(['low_priority', 'delayed', 'high_priority', 'ignore']);
/** A value that cannot hold a secret worth masking: a lone literal of these kinds or words. */
const PLAIN_WORDS = new Set(['null', 'default', 'true', 'false']);

/** The INSERTs in `tokens`: their values bound to secret columns, or to every column when none is listed. */
export function insertSecrets(
  tokens: readonly ClauseToken[],
  match: Int32Array,
  secret: (name: string) => boolean,
  bindValue: BindFrom,
): void {
  // A column given to a secret column (`SELECT n, p FROM (VALUES …) v(n, p)`) binds those VALUES.
  const recorder = new ReferenceRecorder(tokens, bindValue);
  const bindFrom = recorder.bind;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind !== 'ident' || (t.text !== 'insert' && t.text !== 'replace')) continue;
    // `replace(…)` and `x.replace` are the string function, not a statement; MERGE's `WHEN NOT
    // MATCHED THEN INSERT (cols) VALUES (…)` names no table (its values were recorded as typed
    // until 6 December).
    const merge = t.text === 'insert' && tokens[k - 1]?.text === 'then';
    if ((tokens[k + 1]?.kind !== 'ident' && !merge) || tokens[k - 1]?.text === '.') continue;
    const head = merge ? mergeInsertHead(tokens, k + 1) : insertHead(tokens, match, k + 1);
    if (head === null) continue;
    const columnOf =
      head.columns === null ? unlistedPositions(tokens, head.table) : secretPositions(head.columns, secret);
    if (head.columns !== null && !head.columns.some(secret)) continue;
    // A MERGE's INSERT without a column list names its source's columns (`VALUES (s.name,
    // s.password)`): its literals are masked, the columns it names are left to their own names.
    bindSource(tokens, match, head.source, columnOf, merge && head.columns === null ? bindValue : bindFrom);
  }
  bindValuesAliases(tokens, match, recorder.references, bindValue);
}

interface InsertHead {
  readonly table: string;
  /** The column list, or null when the INSERT names none. */
  readonly columns: string[] | null;
  /** The token where the values come from: VALUES, VALUE, SELECT or a parenthesised SELECT. */
  readonly source: number;
}

/**
 * `[modifiers] [INTO] name[.name…] [AS alias] [PARTITION (…)] [(columns)] [OVERRIDING … VALUE]`
 * from token `from`, or null where the tokens take another shape.
 */
function insertHead(tokens: readonly ClauseToken[], match: Int32Array, from: number): InsertHead | null {
  let p = from;
  while (tokens[p]?.kind === 'ident' && MODIFIERS.has(tokens[p]!.text)) p++;
  if (tokens[p]?.text === 'into') p++;
  let name = tokens[p];
  if (name?.kind !== 'ident') return null;
  p++;
  while (tokens[p]?.text === '.' && tokens[p + 1]?.kind === 'ident') {
    name = tokens[p + 1]!;
    p += 2;
  }
  if (tokens[p]?.text === 'as' && tokens[p + 1]?.kind === 'ident') p += 2;
  if (tokens[p]?.text === 'partition' && tokens[p + 1]?.text === '(') {
    const close = match[p + 1]!;
    if (close < 0) return null;
    p = close + 1;
  }
  let columns: string[] | null = null;
  if (tokens[p]?.text === '(' && tokens[p + 1]?.text !== 'select' && tokens[p + 1]?.text !== '(') {
    const list = columnList(tokens, p);
    if (list === null) return null;
    columns = list.columns;
    p = list.next;
  }
  if (tokens[p]?.text === 'overriding' && tokens[p + 2]?.text === 'value') p += 3;
  return { table: name.name ?? name.text, columns, source: p };
}

/** MERGE's `INSERT [(columns)] [OVERRIDING … VALUE] VALUES (…)` from token `from` (the target table is not named here). */
function mergeInsertHead(tokens: readonly ClauseToken[], from: number): InsertHead | null {
  let p = from;
  let columns: string[] | null = null;
  if (tokens[p]?.text === '(') {
    const list = columnList(tokens, p);
    if (list === null) return null;
    columns = list.columns;
    p = list.next;
  }
  if (tokens[p]?.text === 'overriding' && tokens[p + 2]?.text === 'value') p += 3;
  return { table: 'the MERGE target', columns, source: p };
}

/** Binds the values of the source at token `at`: rows of VALUES, or a (parenthesised) select list. */
function bindSource(
  tokens: readonly ClauseToken[],
  match: Int32Array,
  at: number,
  columnOf: PositionColumn,
  bindFrom: BindFrom,
): void {
  const word = tokens[at]?.text;
  if (word === 'values' || word === 'value') {
    bindRows(tokens, match, at + 1, columnOf, bindFrom);
    return;
  }
  // Since 6 December every branch of a set operation (`SELECT 'b', 'x' UNION ALL SELECT 'ann', '…'`)
  // and a query that begins with WITH: both were recorded as typed past the first select list.
  const from = word === 'with' ? afterWith(tokens, match, at) : at;
  if (from === null) return;
  let s = from;
  while (tokens[s]?.text === '(') s++;
  if (tokens[s]?.text !== 'select') return;
  bindSelectBranches(tokens, match, from, tokens.length, columnOf, bindFrom);
  // `SELECT * FROM (VALUES …) v` or `FROM (SELECT …) s` (the lexer drops the `*`): the first
  // relation's columns come first, in order. Recorded as typed until 6 December.
  const open = s + 2;
  if (tokens[s + 1]?.text !== 'from' || tokens[open]?.text !== '(' || match[open]! < 0) return;
  if (tokens[open + 1]?.text === 'values') bindRows(tokens, match, open + 2, columnOf, bindFrom);
  else if (tokens[open + 1]?.text === 'select')
    bindSelectBranches(tokens, match, open + 1, match[open]!, columnOf, bindFrom);
}

/**
 * Every position of an INSERT without a column list, named by its place in the table, except a
 * value that is one plain literal (a number, NULL, DEFAULT, TRUE, FALSE).
 */
function unlistedPositions(tokens: readonly ClauseToken[], table: string): PositionColumn {
  return (index, from) => {
    const t = tokens[from];
    const after = tokens[from + 1]?.text;
    const alone = after === ',' || after === ')' || after === ';' || after === undefined;
    if (t !== undefined && alone && (t.kind === 'number' || (t.kind === 'ident' && PLAIN_WORDS.has(t.text))))
      return null;
    return `#${index + 1} of ${table}${UNLISTED}`;
  };
}

const UNLISTED = ' (no column list)';

/**
 * Whether a binding's column is a position of an INSERT without a column list: a parameter sent as
 * a number there is kept, as a number literal is (a value typed as a number holds no password).
 */
export function isUnlistedColumn(column: string): boolean {
  return column.endsWith(UNLISTED);
}
