// SQL text that a server answers with as a value: a view's definition (`pg_get_viewdef`,
// `pg_views.definition`, MySQL's `SHOW CREATE VIEW` and `information_schema.VIEWS`), the text of a
// statement prepared earlier (`pg_prepared_statements.statement`), another connection's statement
// (`pg_stat_activity.query`, MySQL's `PROCESSLIST.INFO`), a plan's filter through a view (`EXPLAIN
// VERBOSE`: `Filter: (users.password <> '…'::text)`). A literal there bound to a secret column was
// masked in the statement that wrote it, but came back as a cell under a column that names nothing
// (`definition`, `query`, `QUERY PLAN`), and was recorded in clear until 7 December. Such a cell is
// read as a statement (sql-columns.ts) and the content of each literal bound to a secret column is
// withheld; the rest of the text stays readable. Errs on masking: any cell that reads so is read.
import { secretBindings } from './sql-columns.js';
import type { SqlReading } from './sql-tokens.js';

/** Said in place of a literal, inside a result cell, that the cell's SQL binds to a secret column. */
export const WITHHELD_LITERAL = '(withheld: bound to a secret column)';

/** A cell that may hold a literal and a column: a quote, and a word; most cells have no quote. */
const MAY_BIND = /['"]/;
const WORD = /[A-Za-z_][A-Za-z0-9_$]*/g;
/** The masker's replacement (value-echoes.ts pairs): already masked, left as it is. */
const MASKED = /^\[MASKED:[A-Za-z0-9_.-]+:[0-9a-f]{6}\]$/;

/**
 * `text` with the content of each literal bound to a secret column (read as `reading` reads
 * strings, or both ways) replaced by WITHHELD_LITERAL; `text` itself when there is none.
 */
export function withheldSqlLiterals(
  text: string,
  secret: (name: string) => boolean,
  reading: SqlReading | 'both',
): string {
  if (!MAY_BIND.test(text) || !namesSecret(text, secret)) return text;
  const spans = secretBindings(text, secret, reading)
    .literals.filter((l) => l.end > l.start && !MASKED.test(text.slice(l.start, l.end)))
    .map((l) => [l.start, l.end] as const)
    .sort((a, b) => a[0] - b[0]);
  if (spans.length === 0) return text;
  let out = '';
  let at = 0;
  for (const [start, end] of spans) {
    if (start < at) continue;
    out += text.slice(at, start) + WITHHELD_LITERAL;
    at = end;
  }
  return out + text.slice(at);
}

/** Whether a word of the text names a secret: without one, nothing in it can bind. */
function namesSecret(text: string, secret: (name: string) => boolean): boolean {
  for (const word of text.matchAll(WORD)) if (secret(word[0])) return true;
  return false;
}
