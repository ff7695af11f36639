// What a relation made from a query stores of its secret values (sql-session-relations.ts): the
// names its columns holding them go by, from the query's select list and the relation's column list,
// or that they cannot be told; and the small token readers the session reader shares.
import { derivedSecretPositions, selectLists } from './sql-derived-columns.js';
import { matchingParens } from './sql-parens.js';
import { readingsDiffer, type SqlReading, type SqlToken, tokenizeSql } from './sql-tokens.js';

/** What a later statement reading remembered relations takes: their derived names, or everything. */
export interface RelationReading {
  readonly names: ReadonlySet<string>;
  readonly all: boolean;
}

/** Names of a relation's columns that hold secret values; `all` when they cannot be told. */
export interface Remembered {
  readonly names: Set<string>;
  all: boolean;
}

/**
 * The names under which a query's secret values are stored by a relation made of it, given the
 * relation's column list (`columns`), or null when none is secret. `insert`: without a column list
 * the values go to the table's columns in order, whose names are not in the statement.
 */
export function secretOutputs(
  query: string,
  secret: (name: string) => boolean,
  columns: readonly string[] | null,
  insert: boolean,
  known: RelationReading | null,
  reading: SqlReading = 'standard',
): Remembered | null {
  const derived = derivedSecretPositions(query, secret, known?.names ?? [], reading);
  const tokens = tokenizeSql(query, reading);
  const head = selectLists(query, tokens, matchingParens(tokens)).find((l) => l.depth === 0);
  const items = head?.items ?? [];
  const star = items.some((i) => i.star);
  const names = new Set(derived?.names ?? []);
  let all =
    known?.all === true ||
    derived?.all === true ||
    (derived?.fromEnd.size ?? 0) > 0 ||
    (derived?.rows?.fromEnd.size ?? 0) > 0 ||
    // `INSERT INTO t SELECT * FROM users`: which of t's columns a password fills is in no statement.
    (star && insert && columns === null);
  const positions = new Set([...(derived?.fromStart ?? []), ...(derived?.rows?.fromStart ?? [])]);
  for (const [i, item] of items.entries()) if (item.name !== null && secret(item.name)) positions.add(i);
  for (const i of positions) {
    const stored = columns !== null ? columns[i] : insert ? undefined : items[i]?.name?.toLowerCase();
    if (stored === undefined || star) all = true;
    else names.add(stored);
  }
  // A star under a column list: which listed name a secret column lands on is not in the statement.
  if (star && columns !== null) for (const c of columns) names.add(c);
  return names.size > 0 || all ? { names, all } : null;
}

/** Whether the list `(…)` from `open` to `close` holds bare names (`(a, b)`), not definitions. */
export function namesOnly(tokens: readonly SqlToken[], open: number, close: number): boolean {
  for (let q = open + 1; q < close; q++) {
    const expectName = (q - open) % 2 === 1;
    if (expectName ? tokens[q]!.kind !== 'ident' : tokens[q]!.text !== ',') return false;
  }
  return true;
}

/** The readings of `readings` that may differ for `statement`: one where all read it alike. */
export function readingsOf(statement: string, readings: readonly SqlReading[]): readonly SqlReading[] {
  return readings.length > 1 && !readingsDiffer(statement) ? readings.slice(0, 1) : readings;
}

/** `schema.name` from token `n`: its last part, lower case, and the token after it. */
export function lastName(tokens: readonly SqlToken[], n: number): { name: string; end: number } {
  let q = n;
  while (tokens[q + 1]?.text === '.' && tokens[q + 2]?.kind === 'ident') q += 2;
  return { name: tokens[q]!.text, end: q + 1 };
}

/** The statements of a text: token ranges between `;` at depth 0. */
export function statements(tokens: readonly SqlToken[], match: Int32Array): [number, number][] {
  const out: [number, number][] = [];
  let from = 0;
  for (let k = 0; k <= tokens.length; k++) {
    const t = tokens[k];
    if (t === undefined || (t.kind === 'punct' && t.text === ';')) {
      if (k > from) out.push([from, k]);
      from = k + 1;
    } else if (t.kind === 'punct' && t.text === '(' && match[k]! > k) k = match[k]!;
  }
  return out;
}
