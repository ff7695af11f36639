// How a `tables` pattern meets the table names a statement's facts carry (`name`, `schema.name`,
// or `catalog.schema.name` where PostgreSQL names an object by a name list, as DROP does).
//
// A name written without its schema is resolved by the server, not by the text: PostgreSQL looks
// it up along the session's search_path (set by `SET search_path`, `set_config`, a role's or a
// database's default, a function's SET clause, the startup options, `$user`), MySQL in the
// session's current database (the handshake's, USE, COM_INIT_DB). Vigil does not know where an
// unqualified name lands, so each rule is read for the side it errs on:
// - a deny, review or alert rule holds a name whenever the server could read it as a table the
//   pattern names: the two are compared on the segments both spell, from the right, so
//   `billing.*` holds `invoices` (which may be billing.invoices) and `mydb.billing.invoices`,
//   but not `public.invoices`;
// - an allow rule admits only what it names as written: `billing.*` does not admit `invoices`,
//   which could be in any schema, and a name spelled with capitals (a quoted identifier, or a
//   MySQL server that keeps case) must match the pattern's own case, since it may be another table.
// A pattern without a dot names a table in any schema, so it meets the name's last segment either way.
import { globMatcher } from './glob.js';

type Matcher = (value: string) => boolean;

interface CompiledPattern {
  /** Globs of the pattern's last 1, 2, ... segments (`table`, `schema.table`, ...); `*` may span dots. */
  readonly tails: readonly { readonly insensitive: Matcher; readonly exact: Matcher }[];
  readonly dotted: boolean;
}

function compile(pattern: string): CompiledPattern {
  const segments = pattern.split('.');
  const tails = segments.map((_, i) => {
    const tail = segments.slice(segments.length - 1 - i).join('.');
    return { insensitive: globMatcher(tail, true), exact: globMatcher(tail, false) };
  });
  return { tails, dotted: segments.length > 1 };
}

/** The name's last `count` segments. */
function lastSegments(segments: readonly string[], count: number): string {
  return segments.slice(segments.length - count).join('.');
}

/** Deny, review and alert: any reading of the name the server could make. */
function restrictingMatch(p: CompiledPattern, name: string): boolean {
  // A dotted pattern also meets the whole name, for a `*` that spans a quoted name's own dots.
  if (p.dotted && p.tails[p.tails.length - 1]!.insensitive(name)) return true;
  const segments = name.split('.');
  const shared = Math.min(segments.length, p.tails.length);
  return p.tails[shared - 1]!.insensitive(lastSegments(segments, shared));
}

/** Allow: the name as written, in its own case when it has capitals. */
function allowingMatch(p: CompiledPattern, name: string): boolean {
  const matcher = name === name.toLowerCase() ? 'insensitive' : 'exact';
  if (!p.dotted) return p.tails[0]![matcher](name.slice(name.lastIndexOf('.') + 1));
  return p.tails[p.tails.length - 1]![matcher](name);
}

/** Whether a table name matches any of the patterns, read for a rule that restricts or one that allows. */
export function tableMatcher(patterns: readonly string[], restricts: boolean): (table: string) => boolean {
  const compiled = patterns.map(compile);
  const match = restricts ? restrictingMatch : allowingMatch;
  return (table) => compiled.some((p) => match(p, table));
}
