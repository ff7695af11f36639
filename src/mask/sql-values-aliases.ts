// A VALUES list whose alias's column is given to a secret column by name: `UPDATE users SET
// password = v.p FROM (VALUES ('ann', '…')) v(n, p)`, `INSERT INTO users (name, password) SELECT
// n, p FROM (VALUES …) v(n, p)`, also `WITH v(n, p) AS (VALUES …)`. The alias's column (`p`) says
// nothing, so sql-rows.ts, which binds VALUES by their alias's column names, left the password of
// words as typed until 6 December. Here a value bound to a secret column that is only a column
// reference (`v.p`, `p`, `v.p::text`) is remembered, and the VALUES rows of an alias with that
// column are bound by position to the secret column. One pass over the tokens, after the bindings.
// Since 6 December also VALUES under their default names and derived SELECTs (sql-derived-tables.ts).
import type { BindFrom, ClauseToken } from './sql-clauses.js';
import { bindDefaultValues, bindDerivedSelect, type ReferenceColumn } from './sql-derived-tables.js';
import { bindRows, namedValuesAt } from './sql-lists.js';

/** A column reference bound to a secret column: its name, the alias it is qualified by, the secret column. */
interface Reference {
  readonly name: string;
  readonly qualifier: string | null;
  readonly column: string;
}

/** Records the column references among the values bound through it, for `bindValuesAliases`. */
export class ReferenceRecorder {
  /** By `qualifier.name` (`.name` unqualified): the first secret column each was bound to. */
  readonly references = new Map<string, Reference>();
  readonly #tokens: readonly ClauseToken[];
  readonly #bindFrom: BindFrom;

  constructor(tokens: readonly ClauseToken[], bindFrom: BindFrom) {
    this.#tokens = tokens;
    this.#bindFrom = bindFrom;
  }

  /** A `BindFrom` that binds as the one given and remembers a value that is a column reference. */
  readonly bind: BindFrom = (from, column, before) => {
    const to = this.#bindFrom(from, column, before);
    const reference = referenceIn(this.#tokens, from, to);
    if (reference !== null) this.#remember(reference, column);
    else for (const r of referencesInExpression(this.#tokens, from, to)) this.#remember(r, column);
    return to;
  };

  #remember(reference: { name: string; qualifier: string | null }, column: string): void {
    const key = `${reference.qualifier ?? ''}.${reference.name}`;
    if (!this.references.has(key)) this.references.set(key, { ...reference, column });
  }
}

/** PostgreSQL's and MySQL's names for a VALUES list's columns: `column1`…, `column_0`…. */
const DEFAULT_NAME = /^column_?[0-9]+$/;
/** Words that are values, not column references. */
const NOT_A_COLUMN = new Set(['null', 'default', 'true', 'false', 'case', 'select', 'row', 'array']);
/** A reference is at most `schema.table.column` with a cast or two: a longer value is no reference. */
const MAX_REFERENCE_TOKENS = 9;

/** `[a.]b` (with `::type` casts after it) filling tokens [from, to), or null. */
function referenceIn(
  tokens: readonly ClauseToken[],
  from: number,
  to: number,
): { name: string; qualifier: string | null } | null {
  if (to - from > MAX_REFERENCE_TOKENS || to <= from) return null;
  let q = from;
  let qualifier: string | null = null;
  let name = tokens[q];
  if (name?.kind !== 'ident' || NOT_A_COLUMN.has(name.text)) return null;
  while (tokens[q + 1]?.text === '.' && tokens[q + 2]?.kind === 'ident' && q + 2 < to) {
    qualifier = name.text;
    q += 2;
    name = tokens[q]!;
  }
  q++;
  while (q + 1 < to && tokens[q]?.text === '::' && tokens[q + 1]?.kind === 'ident') q += 2;
  return q === to ? { name: name.text, qualifier } : null;
}

/**
 * An expression is read for references only up to this many tokens: `upper(v.p)`, `crypt(v.p,
 * gen_salt('bf'))`, `concat(v.p, '')` are short, and a bound value nested in another (`password =
 * upper(password = upper(…`) is then not read again by each value around it.
 */
const MAX_EXPRESSION_TOKENS = 24;
/** Words in an expression that are not column references (`trim(both ' ' from v.p)`, `CAST(v.p AS text)`). */
const NOT_REFERENCES = new Set([
  ...NOT_A_COLUMN,
  'as',
  'and',
  'or',
  'not',
  'is',
  'both',
  'leading',
  'trailing',
  'from',
  'for',
  'using',
  'collate',
  'when',
  'then',
  'else',
  'end',
  'distinct',
  'interval',
]);

/**
 * The column references in an expression bound to a secret column that is not itself a reference:
 * `SET password = upper(v.p)`, `crypt(v.p, gen_salt('bf'))`, `v.p || ''`. A function of the value
 * stores what the value was made from, so the VALUES or derived SELECT the reference names holds
 * the secret; until 6 December it was recorded as typed. Errs on masking: every reference in the
 * expression is taken (`concat(v.first, v.p)` takes both), not a function's name (before `(`) or a
 * type (after `::` or `AS`).
 */
function referencesInExpression(
  tokens: readonly ClauseToken[],
  from: number,
  to: number,
): { name: string; qualifier: string | null }[] {
  if (to - from > MAX_EXPRESSION_TOKENS || to - from < 2) return [];
  const found: { name: string; qualifier: string | null }[] = [];
  for (let q = from; q < to; q++) {
    const t = tokens[q]!;
    if (t.kind !== 'ident' || NOT_REFERENCES.has(t.text)) continue;
    const before = tokens[q - 1]?.text;
    if (before === '::' || before === 'as' || before === '.') continue;
    let last = q;
    let qualifier: string | null = null;
    while (tokens[last + 1]?.text === '.' && tokens[last + 2]?.kind === 'ident' && last + 2 < to) {
      qualifier = tokens[last]!.text;
      last += 2;
    }
    if (tokens[last + 1]?.text !== '(') found.push({ name: tokens[last]!.text, qualifier });
    q = last;
  }
  return found;
}

/**
 * Binds the VALUES rows of `(VALUES …) [AS] alias(cols)` and `WITH alias(cols) AS (VALUES …)` at
 * the positions of the alias's columns that `references` name.
 */
export function bindValuesAliases(
  tokens: readonly ClauseToken[],
  match: Int32Array,
  references: ReadonlyMap<string, Reference>,
  bindFrom: BindFrom,
): void {
  if (references.size === 0) return;
  const columnOf = (alias: string, columns: readonly string[]) => (index: number) => {
    const name = columns[index]?.toLowerCase();
    if (name === undefined) return null;
    return (references.get(`${alias}.${name}`) ?? references.get(`.${name}`))?.column ?? null;
  };
  const reference: ReferenceColumn = (alias, name) =>
    (references.get(`${alias}.${name}`) ?? references.get(`.${name}`))?.column ?? null;
  // VALUES under default names are read only when a reference could name one of them.
  const defaults = [...references.values()].some((r) => DEFAULT_NAME.test(r.name));
  for (let k = 1; k < tokens.length; k++) {
    const named = namedValuesAt(tokens, match, k);
    if (named !== null) bindRows(tokens, match, named.rows, columnOf(named.alias, named.columns), bindFrom);
    else if (defaults) bindDefaultValues(tokens, match, k, reference, bindFrom);
    bindDerivedSelect(tokens, match, k, reference, bindFrom);
  }
}
