// How a `tables` pattern meets the table names a statement's facts carry (`name`, `schema.name`,
// or `catalog.schema.name` where PostgreSQL names an object by a name list, as DROP does).
//
// A name is a list of parts (schema or database, then table), not a dotted string: a quoted
// identifier may hold dots of its own, and `"public.secrets"` (a table of that name in whatever
// schema the server picks) is not `public.secrets`. The facts write a part that holds a dot or a
// quote character in double quotes (MySQL's in backquotes), a quote inside doubled, as SQL does;
// `tableNameParts` reads them back, and a pattern is read the same way, so `'"public.secrets"'`
// names that one table. A name recorded before parts were quoted splits at every dot, as it did.
//
// A name written without its schema is resolved by the server, not by the text: PostgreSQL looks
// it up along the session's search_path (set by `SET search_path`, `set_config`, a role's or a
// database's default, a function's SET clause, the startup options, `$user`), MySQL in the
// session's current database (the handshake's, USE, COM_INIT_DB). Vigil does not know where an
// unqualified name lands, so each rule is read for the side it errs on:
// - a deny, review or alert rule holds a name whenever the server could read it as a table the
//   pattern names: the two are compared part by part on the parts both spell, from the right, so
//   `billing.*` holds `invoices` (which may be billing.invoices), `"x.y"` (a table named x.y,
//   which may be in billing) and `mydb.billing.invoices`, but not `public.invoices`;
// - an allow rule admits only what it names as written, part for part: `billing.*` does not admit
//   `invoices`, which could be in any schema, nor `"billing.invoices"`, a table of that name in
//   any schema; and a name spelled with capitals (a quoted identifier, or a MySQL server that
//   keeps case) must match the pattern's own case, since it may be another table.
// A pattern without a dot names a table in any schema, so it meets the name's last part either way.
//
// Some statements read every table at once: the planner's statistics (`pg_stats` and the catalogs
// behind it) hold sampled values of every analyzed column, whichever table the statement names.
// The facts record such a read as one more table, EVERY_TABLE, a name no real table is recorded as
// (`tableName` quotes a part only when it holds a dot or a quote, so it never writes `"(every
// table)"`). Every restricting pattern list meets it: a rule that denies, reviews or alerts on
// reading any table holds a read of all of them. An allow rule admits it only when one of its
// patterns is a bare `*` (every table in every schema), since it would admit each table anyway; a
// rule that allows certain tables does not allow reading the sample of all the others.
//
// Some statements move every table of one schema at once: `ALTER SCHEMA hr RENAME TO x` makes
// `hr.payroll` readable as `x.payroll`, which a pattern on `hr.*` no longer meets, and Vigil does
// not know which tables the schema holds. The facts record it as `everyTableOf('hr')`, the
// schema's name followed by EVERY_TABLE (`hr."(every table)"`), which no real table is recorded as
// either: `tableName` would write a part `(every table)` unquoted. A restricting pattern meets it
// when its schema part, if it has one, meets the schema (its table part could be any table there);
// an allow rule admits it only with a pattern of that schema whose table part is all `*`.
// `ALTER EXTENSION e SET SCHEMA x` moves the tables of e from the extension's schema, which the
// text does not name and which may be any schema: the facts record it as EVERY_TABLE.
import { globMatcher } from './glob.js';

/** The table a statement that reads every table's values at once is recorded as reading. */
export const EVERY_TABLE = '"(every table)"';

/** The table a statement that moves every table of `schema` is recorded as reading. */
export function everyTableOf(schema: string): string {
  return `${tableName([schema])}.${EVERY_TABLE}`;
}

/** The schema's parts of an `everyTableOf` name, or null for any other name. */
function everyTableSchema(table: string): string[] | null {
  const suffix = `.${EVERY_TABLE}`;
  return table.endsWith(suffix) ? tableNameParts(table.slice(0, -suffix.length)) : null;
}

type Matcher = (value: string) => boolean;

interface CompiledPattern {
  /** Globs of the pattern's parts, in order; `*` stays within a part. */
  readonly parts: readonly { readonly insensitive: Matcher; readonly exact: Matcher }[];
}

/** Whether a part must be quoted to read back as one part. */
const NEEDS_QUOTES = /[."`]/;

/**
 * A table name as the facts record it, from its parts: `schema.table`, with a part that holds a
 * dot or a quote character quoted (`"public.secrets"`, `billing."a.b"`). `quote` is the protocol's
 * identifier quote, so a reviewer reads the name as the client would have written it.
 */
export function tableName(parts: readonly string[], quote: '"' | '`' = '"'): string {
  return parts
    .map((p) => (NEEDS_QUOTES.test(p) ? `${quote}${p.replaceAll(quote, quote + quote)}${quote}` : p))
    .join('.');
}

/** The parts of a recorded table name or a pattern: split at the dots outside `"…"` and `` `…` ``. */
export function tableNameParts(name: string): string[] {
  const parts: string[] = [];
  let i = 0;
  for (;;) {
    const quote = name[i];
    if (quote === '"' || quote === '`') {
      let part = '';
      let j = i + 1;
      let closed = false;
      while (j < name.length) {
        if (name[j] === quote) {
          if (name[j + 1] !== quote) {
            closed = true;
            j += 1;
            break;
          }
          j += 1;
        }
        part += name[j];
        j += 1;
      }
      if (closed && (j === name.length || name[j] === '.')) {
        parts.push(part);
        if (j === name.length) return parts;
        i = j + 1;
        continue;
      }
      // Not a quoted part (a quote character of its own in an older record): read as written.
    }
    const dot = name.indexOf('.', i);
    if (dot === -1) {
      parts.push(name.slice(i));
      return parts;
    }
    parts.push(name.slice(i, dot));
    i = dot + 1;
  }
}

function compile(pattern: string): CompiledPattern {
  return {
    parts: tableNameParts(pattern).map((p) => ({
      insensitive: globMatcher(p, true),
      exact: globMatcher(p, false),
    })),
  };
}

/** Whether the last `count` parts of the pattern and of the name match, part for part. */
function tailsMatch(
  p: CompiledPattern,
  name: readonly string[],
  count: number,
  matcher: keyof CompiledPattern['parts'][number],
): boolean {
  for (let k = 1; k <= count; k++) {
    if (!p.parts[p.parts.length - k]![matcher](name[name.length - k]!)) return false;
  }
  return true;
}

/** Deny, review and alert: any reading of the name the server could make. */
function restrictingMatch(p: CompiledPattern, name: readonly string[]): boolean {
  return tailsMatch(p, name, Math.min(name.length, p.parts.length), 'insensitive');
}

/** Allow: the name as written, in its own case when it has capitals. */
function allowingMatch(p: CompiledPattern, name: readonly string[]): boolean {
  const matcher = name.every((part) => part === part.toLowerCase()) ? 'insensitive' : 'exact';
  if (p.parts.length === 1) return tailsMatch(p, name, 1, matcher);
  return p.parts.length === name.length && tailsMatch(p, name, name.length, matcher);
}

/** Deny, review and alert on every table of a schema: any table there the pattern could name. */
function restrictingSchemaMatch(p: CompiledPattern, schema: readonly string[]): boolean {
  const own = { parts: p.parts.slice(0, -1) };
  return tailsMatch(own, schema, Math.min(schema.length, own.parts.length), 'insensitive');
}

/** Allow every table of a schema: only a pattern of that schema whose table part is all `*`. */
function allowingSchemaMatch(p: CompiledPattern, source: string, schema: readonly string[]): boolean {
  const table = tableNameParts(source).at(-1) ?? '';
  if (!/^\*+$/.test(table)) return false;
  if (p.parts.length === 1) return true;
  return allowingMatch({ parts: p.parts.slice(0, -1) }, schema);
}

/** Whether a table name matches any of the patterns, read for a rule that restricts or one that allows. */
export function tableMatcher(patterns: readonly string[], restricts: boolean): (table: string) => boolean {
  const compiled = patterns.map(compile);
  const match = restricts ? restrictingMatch : allowingMatch;
  const meetsEvery = restricts ? patterns.length > 0 : patterns.some((p) => /^\*+$/.test(p));
  return (table) => {
    if (table === EVERY_TABLE) return meetsEvery;
    const schema = everyTableSchema(table);
    if (schema)
      return compiled.some((p, i) =>
        restricts ? restrictingSchemaMatch(p, schema) : allowingSchemaMatch(p, patterns[i]!, schema),
      );
    const parts = tableNameParts(table);
    return compiled.some((p) => match(p, parts));
  };
}
