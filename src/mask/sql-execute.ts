// The arguments of SQL `EXECUTE name(arg, ...)` bound to secret columns through the statement the
// name runs. `PREPARE q(text, text) AS INSERT INTO users(name, password) VALUES ($1, $2)` and then
// `EXECUTE q('kate', 'hunter2')` put the password into the second argument, which nothing in the
// EXECUTE's own text names: it was recorded in clear until 5 December. The database module records
// the text behind each name the statement runs (db.query `named_statements`), and the arguments are
// masked as the parameters they bind. Like sql-columns.ts, a lexer that never fails: a shape it
// does not follow binds nothing, and the text rules still apply.
import type { NamedStatementText } from '../core/db-payloads.js';
import { type SqlValueSpan, secretBindings } from './sql-columns.js';
import { type SqlToken, tokenizeSql } from './sql-tokens.js';

/** The literals among the arguments of each `EXECUTE name(...)` in `sql` that bind a secret column. */
export function executeArgumentSpans(
  sql: string,
  named: readonly NamedStatementText[],
  secret: (column: string) => boolean,
): SqlValueSpan[] {
  if (named.length === 0) return [];
  const tokens = tokenizeSql(sql);
  const spans: SqlValueSpan[] = [];
  for (let k = 0; k + 2 < tokens.length; k++) {
    const name = tokens[k + 1]!;
    if (!isWord(tokens[k]!, 'execute') || name.kind !== 'ident' || !isPunct(tokens[k + 2]!, '(')) continue;
    const columns = secretParameters(name.text, named, secret);
    if (columns.size > 0) argumentLiterals(tokens, k + 3, columns, spans);
  }
  return spans;
}

/**
 * Parameter number → secret column, of every recorded text prepared under `name`. The lexer reads
 * names lower-cased, quoted or not, so a name that differs only in case binds through both texts:
 * erring on the side of masking.
 */
function secretParameters(
  name: string,
  named: readonly NamedStatementText[],
  secret: (column: string) => boolean,
): Map<number, string> {
  const columns = new Map<number, string>();
  for (const entry of named) {
    if (entry.name.toLowerCase() !== name) continue;
    for (const [param, column] of secretBindings(preparedBody(entry.statement, name), secret).params)
      columns.set(param, column);
  }
  return columns;
}

/**
 * The statement a text prepares under `name`: after `PREPARE name [(types)] AS`, up to the end of
 * that statement; a text with no such PREPARE is the statement itself (a protocol Parse's text).
 */
export function preparedBody(text: string, name: string): string {
  const tokens = tokenizeSql(text);
  for (let k = 0; k + 1 < tokens.length; k++) {
    if (!isWord(tokens[k]!, 'prepare') || !isWord(tokens[k + 1]!, name)) continue;
    let r = k + 2;
    if (tokens[r] && isPunct(tokens[r]!, '(')) r = closing(tokens, r) + 1;
    if (!tokens[r] || !isWord(tokens[r]!, 'as') || !tokens[r + 1]) continue;
    const start = tokens[r + 1]!.start;
    const end = statementEnd(tokens, r + 1);
    return text.slice(start, end < 0 ? text.length : tokens[end]!.start);
  }
  return text;
}

/** Literals of the arguments from token `from` (after the opening parenthesis) to its close. */
function argumentLiterals(
  tokens: readonly SqlToken[],
  from: number,
  columns: ReadonlyMap<number, string>,
  out: SqlValueSpan[],
): void {
  let index = 1;
  let depth = 0;
  for (let r = from; r < tokens.length; r++) {
    const t = tokens[r]!;
    if (isPunct(t, '(')) depth++;
    else if (isPunct(t, ')')) {
      if (depth === 0) return;
      depth--;
    } else if (depth === 0 && isPunct(t, ',')) index++;
    else if (isPunct(t, ';')) return;
    else if (t.kind === 'string' || t.kind === 'number') {
      // Anywhere inside the argument: `upper('…')` or `'…' || ''` binds it all the same.
      const column = columns.get(index);
      if (column !== undefined) out.push({ start: t.start, end: t.end, column });
    }
  }
}

/** The index of the parenthesis that closes the one at `open`, or the last token. */
function closing(tokens: readonly SqlToken[], open: number): number {
  let depth = 0;
  for (let r = open; r < tokens.length; r++) {
    if (isPunct(tokens[r]!, '(')) depth++;
    else if (isPunct(tokens[r]!, ')') && --depth === 0) return r;
  }
  return tokens.length - 1;
}

/** The index of the `;` that ends the statement starting at `from` (outside parentheses), or -1. */
function statementEnd(tokens: readonly SqlToken[], from: number): number {
  let depth = 0;
  for (let r = from; r < tokens.length; r++) {
    const t = tokens[r]!;
    if (isPunct(t, '(')) depth++;
    else if (isPunct(t, ')')) depth = Math.max(0, depth - 1);
    else if (depth === 0 && isPunct(t, ';')) return r;
  }
  return -1;
}

function isWord(t: SqlToken, word: string): boolean {
  return t.kind === 'ident' && t.text === word;
}

function isPunct(t: SqlToken, text: string): boolean {
  return t.kind === 'punct' && t.text === text;
}
