// Statements that read files on the database server's host. With the FILE privilege (part of `GRANT
// ALL ON *.*`) and no `secure_file_priv`, `SELECT LOAD_FILE(CONCAT(@@datadir, 'app/payroll.ibd'))`
// returns payroll's InnoDB pages, salaries legible in them, and the server's general or slow log
// holds every identity's statements; `LOAD DATA INFILE` and `LOAD XML INFILE` (without LOCAL: the
// server's file, not the client's) copy such a file into a table the rule does not name. Each
// names no table, so until 7 December a rule denying reads of payroll did not hold them. A
// statement calling LOAD_FILE (a native function, callable under a quoted name too) or loading a
// server file is recorded as reading every table (EVERY_TABLE, table-patterns.ts), as a read of the
// column statistics is (statistics-tables.ts).
import type { StatementFacts } from '../../core/db-payloads.js';
import { everyTableRead } from './every-table-read.js';
import type { Token } from './sql-lexer.js';

/** The recorded read of every table a read of the server's files is. */
export const READS_SERVER_FILES: StatementFacts = everyTableRead();

const isNamed = (t: Token | undefined, name: string) =>
  (t?.kind === 'word' || t?.kind === 'ident') && t.text.toLowerCase() === name;

/** Whether a statement's words read a file on the server's host: LOAD_FILE(...), a server-side LOAD. */
export function readsServerFiles(tokens: readonly Token[]): boolean {
  if (tokens.some((t, i) => isNamed(t, 'load_file') && tokens[i + 1]?.text === '(')) return true;
  if (!isNamed(tokens[0], 'load')) return false;
  const infile = tokens.findIndex((t) => isNamed(t, 'infile'));
  // LOAD DATA | XML [LOW_PRIORITY | CONCURRENT] [LOCAL] INFILE: LOCAL stands before INFILE.
  return infile > 0 && !tokens.slice(0, infile).some((t) => isNamed(t, 'local'));
}
