// The tables a statement the parser cannot read shows rows of, from its words: such a statement
// is UNKNOWN (refused unless unknown statements are allowed), and where they are allowed it still
// reads these tables, so a rule on reading one of them holds (statement-facts.ts). MariaDB 10.11:
// - `CREATE TRIGGER … {BEFORE | AFTER} {INSERT | UPDATE | DELETE} ON payroll FOR EACH ROW …` runs
//   its body with each later row written to payroll, by anyone (exposed-tables.ts);
// - `HANDLER payroll OPEN [AS h]` and `HANDLER … READ` return payroll's rows as a SELECT would;
//   the OPEN names the table, a READ may name only the alias, so the OPEN is the read to refuse;
// - `CREATE | ALTER TABLE m … ENGINE=MERGE UNION=(payroll)` makes payroll's rows readable as m's;
// - `CHECKSUM TABLE payroll` returns a checksum of its rows, against which guesses can be tested;
// - `ANALYZE TABLE payroll [PERSISTENT FOR …]` stores each column's minimum and maximum value in
//   mysql.column_stats;
// - any other statement the parser cannot read reads, for all Vigil knows, every table it names
//   where a table may stand: after FROM, JOIN, TABLE, UPDATE, INTO, or a comma. Until 7 December
//   only the shapes above were read, so where unknown statements are allowed `SELECT * FROM payroll
//   IGNORE INDEX (PRIMARY)`, `… FOR SYSTEM_TIME ALL`, `… NATURAL JOIN payroll`, `DO (SELECT salary
//   FROM payroll)`, `VALUES ((SELECT …))`, `DESC SELECT …`, MySQL 8's `TABLE payroll` and a
//   `BEGIN NOT ATOMIC … END` block all read payroll past a rule on reading it. A name after a comma
//   may be a column (`SELECT a, b …`): recorded as read too, erring on holding. OPTIMIZE, REPAIR,
//   CHECK, FLUSH, LOCK, TRUNCATE and DROP name tables without showing their rows.
// Words are lower-cased by the lexer; a deny rule matches a table name in any case.
import { tableName } from '../../policy/table-patterns.js';
import type { Token } from './sql-lexer.js';

const isName = (t: Token | undefined): t is Token => t?.kind === 'word' || t?.kind === 'ident';
const isWord = (t: Token | undefined, ...words: string[]) => t?.kind === 'word' && words.includes(t.text);

/** Words after which a name may be a table a statement reads (joins end in `join`: `straight_join`). */
const BEFORE_TABLE = new Set(['from', 'join', 'straight_join', 'table', 'tables', 'update', 'into']);

/** The tables of a statement the parser could not read that it reads, from its words, or []. */
export function tablesReadByWords(tokens: readonly Token[]): string[] {
  return [...new Set([...shapedReads(tokens), ...namedTables(tokens)])];
}

/** Statements that name tables to act on them without showing a row: maintenance, locks, DROP. */
const SHOWS_NO_ROWS = new Set(['optimize', 'repair', 'check', 'flush', 'lock', 'truncate', 'drop']);

/** Every name where a table may stand: after BEFORE_TABLE's words or a comma. */
function namedTables(tokens: readonly Token[]): string[] {
  if (isWord(tokens[0], ...SHOWS_NO_ROWS)) return [];
  const out: string[] = [];
  tokens.forEach((t, i) => {
    const before = t.kind === 'punct' ? t.text === ',' : t.kind === 'word' && BEFORE_TABLE.has(t.text);
    if (!before) return;
    const name = nameAt(tokens, i + 1);
    // A name followed by `(` is a function's (`SELECT a, COUNT(*)`), not a table's.
    if (name !== null && tokens[name.next]?.text !== '(') out.push(name.name);
  });
  return out;
}

function shapedReads(tokens: readonly Token[]): string[] {
  const first = tokens[0];
  if (isWord(first, 'create', 'alter')) {
    const table = triggerTableOf(tokens);
    return [...(table === null ? [] : [table]), ...mergeUnionOf(tokens)];
  }
  if (isWord(first, 'handler')) {
    const name = nameAt(tokens, 1);
    return name === null ? [] : [name.name];
  }
  if (isWord(first, 'checksum', 'analyze')) {
    const at = tokens.findIndex((t) => isWord(t, 'table', 'tables'));
    return at < 0 ? [] : nameList(tokens, at + 1);
  }
  return [];
}

/**
 * The table of `CREATE [OR REPLACE] [DEFINER = …] TRIGGER [IF NOT EXISTS] name {BEFORE | AFTER}
 * {INSERT | UPDATE | DELETE} ON table FOR EACH ROW …`, or null when the statement is not a
 * trigger of that shape.
 */
export function triggerTableOf(tokens: readonly Token[]): string | null {
  if (!isWord(tokens[0], 'create')) return null;
  const start = tokens.findIndex((t) => isWord(t, 'trigger'));
  if (start < 0) return null;
  for (let i = start + 2; i + 1 < tokens.length; i++) {
    if (!isWord(tokens[i + 1], 'on')) continue;
    if (!isWord(tokens[i - 1], 'before', 'after') || !isWord(tokens[i], 'insert', 'update', 'delete'))
      continue;
    return nameAt(tokens, i + 2)?.name ?? null;
  }
  return null;
}

/**
 * The tables of a MERGE table's `UNION [=] (a, db.b, …)` option (`CREATE TABLE m (…)
 * ENGINE=MERGE UNION=(payroll)`, `ALTER TABLE m UNION=(payroll)`): a read of the MERGE table
 * returns their rows, so making it reads them. Until 7 December, where unknown statements are
 * allowed, it made payroll (a MyISAM table) readable as `m` past a rule on reading payroll.
 */
function mergeUnionOf(tokens: readonly Token[]): string[] {
  const out: string[] = [];
  tokens.forEach((t, i) => {
    if (!isWord(t, 'union')) return;
    const open = tokens[i + 1]?.text === '=' ? i + 2 : i + 1;
    // `UNION (SELECT …)` is a set operation's, not a MERGE table's.
    if (tokens[open]?.text !== '(' || isWord(tokens[open + 1], 'select', 'with', 'values', 'table')) return;
    out.push(...nameList(tokens, open + 1));
  });
  return out;
}

/** A table name (`t` or `db.t`) starting at token `i`, and the index after it. */
function nameAt(tokens: readonly Token[], i: number): { name: string; next: number } | null {
  const first = tokens[i];
  if (!isName(first)) return null;
  if (tokens[i + 1]?.kind === 'punct' && tokens[i + 1]?.text === '.') {
    const second = tokens[i + 2];
    return isName(second) ? { name: tableName([first.text, second.text], '`'), next: i + 3 } : null;
  }
  return { name: tableName([first.text], '`'), next: i + 1 };
}

/** `a, db.b, …` from token `i`: every name up to the first token that does not continue the list. */
function nameList(tokens: readonly Token[], i: number): string[] {
  const out: string[] = [];
  for (let at = i; ; ) {
    const name = nameAt(tokens, at);
    if (name === null) return out;
    out.push(name.name);
    if (tokens[name.next]?.text !== ',') return out;
    at = name.next + 1;
  }
}
