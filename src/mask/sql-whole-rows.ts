// A whole row read as one value: `SELECT u FROM users u`, `RETURNING users`, `array_agg(u)`,
// `u::text`, `ROW(u.*)`. PostgreSQL writes it as a composite, `(1,ann,"…")`, every column of the
// row in one cell under the relation's name, which says nothing secret. Until 6 December a
// password in such a row was recorded in clear. The relation names and aliases a statement
// introduces (after FROM, JOIN, UPDATE, INTO, a comma of a FROM list, and a subquery's alias) are
// read over-broadly, at every depth; an item that names one of them alone (not `u.col`) reads a
// whole row.
import type { SqlToken } from './sql-tokens.js';

const INTRODUCERS = new Set(['from', 'join', 'update', 'into']);
/** Words after a relation that are not its alias. */
const NOT_ALIAS = new Set([
  'where',
  'join',
  'inner',
  'left',
  'right',
  'full',
  'cross',
  'natural',
  'on',
  'using',
  'group',
  'order',
  'limit',
  'offset',
  'fetch',
  'having',
  'window',
  'union',
  'intersect',
  'except',
  'set',
  'values',
  'returning',
  'for',
  'select',
  'default',
  'tablesample',
  'overriding',
  'partition',
  'with',
]);

/** The names and aliases of the relations `tokens` read from. */
export function relationNames(tokens: readonly SqlToken[], match: Int32Array): Set<string> {
  const names = new Set<string>();
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind !== 'ident' || !INTRODUCERS.has(t.text)) continue;
    let q = k + 1;
    for (;;) {
      while (tokens[q]?.text === 'only' || tokens[q]?.text === 'lateral') q++;
      const first = tokens[q];
      if (first === undefined) break;
      if (first.kind === 'punct' && first.text === '(') {
        if (match[q]! < 0) break;
        q = match[q]! + 1;
      } else if (first.kind === 'ident') {
        while (tokens[q + 1]?.text === '.' && tokens[q + 2]?.kind === 'ident') q += 2;
        names.add(tokens[q]!.text);
        q++;
      } else break;
      if (tokens[q]?.text === 'as') q++;
      const alias = tokens[q];
      if (alias?.kind === 'ident' && !NOT_ALIAS.has(alias.text) && !INTRODUCERS.has(alias.text)) {
        names.add(alias.text);
        q++;
      }
      // A FROM list: `FROM users u, orders o`.
      if (tokens[q]?.text !== ',' || t.text !== 'from') break;
      q++;
    }
  }
  return names;
}

/**
 * Whether the identifier at `q` reads a whole row of one of `relations`: it names one, is not a
 * column of another (`x.u`), not a call (`u(…)`), and is followed by nothing but a star (`u.*`
 * inside a call or cast: the lexer drops the `*`) where a dot follows.
 */
export function readsWholeRow(
  tokens: readonly SqlToken[],
  q: number,
  relations: ReadonlySet<string>,
): boolean {
  const t = tokens[q]!;
  if (t.kind !== 'ident' || !relations.has(t.text) || tokens[q - 1]?.text === '.') return false;
  const next = tokens[q + 1];
  if (next?.text === '(') return false;
  if (next?.text !== '.') return true;
  // `u.*` as an item of its own expands into named columns; inside a call or a cast it is a row.
  const after = tokens[q + 2];
  return after !== undefined && after.kind !== 'ident' && after.text !== ',';
}
