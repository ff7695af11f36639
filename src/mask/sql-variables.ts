// A MySQL user variable given a secret column's value in one statement and read in another:
// `SELECT password INTO @v FROM users` (or `… FROM users INTO @v`, `SELECT @v := password`,
// `SET @v = (SELECT password …)`), then `SELECT @v`, whose result names the column `@v`, which says
// nothing. Until 6 December its cells were recorded in clear. A connection remembers the variables
// that a statement naming a secret column (or a variable so remembered) assigns; a later statement's
// result items that read one are withheld (sql-derived-columns.ts takes them for derived names).
// Errs on masking: every variable such a statement assigns is remembered, whichever item it takes,
// and it is remembered when the statement is submitted, before the server runs it.
import { readingsDiffer, tokenizeSql } from './sql-tokens.js';

/**
 * A variable's name as written after `@`: bare, or quoted with backticks or quotes. Bounded (MySQL
 * allows 64 characters), so that each `@` costs a bounded look ahead: a statement of many `@'`
 * without a closing quote would otherwise be read to its end once per `@`.
 */
const NAME = String.raw`(?:\x60[^\x60]{0,64}\x60|'[^']{0,64}'|"[^"]{0,64}"|[\w$.]{1,64})`;
/** `INTO @a, @b` (MySQL's SELECT … INTO, before or after FROM). */
const INTO = new RegExp(String.raw`\binto\s+(@${NAME}(?:\s*,\s*@${NAME})*)`, 'gi');
/** `@a := …`, in any statement. */
const WALRUS = new RegExp(String.raw`@(${NAME})\s*:=`, 'g');
/** `SET @a = …, @b := …`. */
const SET = new RegExp(String.raw`(?:^\s*set\s+|,\s*)@(${NAME})\s*:?=`, 'gi');
const ONE_NAME = new RegExp(String.raw`@(${NAME})`, 'g');
/** Variables a connection remembers; past this, every statement reading a variable is withheld whole. */
const MAX_VARIABLES = 256;

export class SecretVariables {
  readonly #names = new Set<string>();
  #overflowed = false;

  /** The remembered names, lower case (MySQL's user variables ignore case). */
  get names(): ReadonlySet<string> {
    return this.#names;
  }

  /** Whether more variables were given secrets than are remembered. */
  get overflowed(): boolean {
    return this.#overflowed;
  }

  /** Reads a submitted statement: the variables it assigns are remembered if it reads a secret. */
  note(statement: string, secret: (name: string) => boolean): void {
    if (!statement.includes('@')) return;
    const assigned = assignedVariables(statement);
    if (assigned.length === 0 || !readsSecret(statement, secret, this.#names)) return;
    for (const name of assigned) {
      if (this.#names.has(name)) continue;
      if (this.#names.size >= MAX_VARIABLES) {
        this.#overflowed = true;
        return;
      }
      this.#names.add(name);
    }
  }
}

/** The user variables a statement assigns, lower case, quotes removed, each once. */
export function assignedVariables(statement: string): string[] {
  const names: string[] = [];
  const add = (raw: string) => names.push(unquote(raw).toLowerCase());
  for (const m of statement.matchAll(INTO)) for (const v of m[1]!.matchAll(ONE_NAME)) add(v[1]!);
  for (const m of statement.matchAll(WALRUS)) add(m[1]!);
  if (/^\s*set\b/i.test(statement)) for (const m of statement.matchAll(SET)) add(m[1]!);
  return [...new Set(names)];
}

function unquote(name: string): string {
  const q = name[0];
  return q === '`' || q === "'" || q === '"' ? name.slice(1, -1) : name;
}

/** Whether a statement names a secret column, or a variable remembered as holding a secret. */
function readsSecret(
  statement: string,
  secret: (name: string) => boolean,
  known: ReadonlySet<string>,
): boolean {
  // Both ways where they differ: read only as PostgreSQL does, `SELECT '\'', password INTO @v …`
  // hid the column in a string and the variable was not remembered (until 6 December).
  for (const reading of readingsDiffer(statement)
    ? (['mysql', 'standard'] as const)
    : (['standard'] as const))
    for (const t of tokenizeSql(statement, reading)) {
      if (t.kind !== 'ident') continue;
      const name = t.name ?? t.text;
      if (secret(name) || known.has(name.toLowerCase())) return true;
    }
  return false;
}
