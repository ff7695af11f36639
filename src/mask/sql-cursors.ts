// Result columns renamed in one statement and read in another: a cursor declared over a select list
// that renames a secret column (`DECLARE c CURSOR FOR SELECT password AS q FROM users`) is read by
// `FETCH ALL FROM c`, whose result names the column `q` and whose text names nothing secret. Until
// 6 December its cells were recorded in clear. A connection remembers, per cursor name, which
// positions of its rows are derived from a secret column (sql-derived-columns.ts), and a FETCH
// from it withholds them (value-echoes.ts).
import { ALL_POSITIONS, type DerivedPositions, unitePositions } from './sql-derived-columns.js';
import { type SqlToken, tokenizeSql } from './sql-tokens.js';

/** A text that may name a cursor: one of its statements begins with DECLARE or FETCH; no other is tokenized. */
const MAY_NAME_CURSOR = /\b(?:declare|fetch)\b/i;
/** Cursors a connection remembers; past this, a new name is remembered in place of none (see below). */
const MAX_CURSORS = 256;

/**
 * The cursors one connection declared, with the derived positions of each one's rows. A DECLARE is
 * remembered when it is submitted, before the server confirms it: a name declared twice (the second
 * refused by the server while the first is open) keeps the union of both, so that a FETCH withholds
 * too much rather than too little. Names are never forgotten on CLOSE, for the same reason.
 */
export class DeclaredCursors {
  readonly #positions = new Map<string, DerivedPositions>();
  /** Set once more cursors were declared than are remembered: a FETCH from an unknown one withholds all. */
  #overflowed = false;

  /**
   * Reads `statement`, each statement of it (a simple query's text may hold several: `BEGIN;
   * DECLARE c …`, `SELECT 1; FETCH ALL FROM c`, whose DECLARE and FETCH were not read until 7
   * December, and the rows of the FETCH were recorded in clear): a DECLARE has its positions (from
   * `derived`) remembered; a FETCH returns its cursor's. Returns the positions to withhold for the
   * text's rows, or null: with a FETCH among others, also the others' (`derived` of the whole text),
   * since the same positions are withheld from every result of the text.
   */
  positionsFor(
    statement: string,
    derived: (statement: string) => DerivedPositions | null,
  ): DerivedPositions | null {
    if (!MAY_NAME_CURSOR.test(statement)) return null;
    const pieces = statementsOf(tokenizeSql(statement));
    let fetched: DerivedPositions | null = null;
    for (const tokens of pieces) {
      const first = tokens[0]?.text;
      if (first === 'declare') {
        const name = declaredName(tokens);
        const text = pieces.length === 1 ? statement : statement.slice(tokens[0]!.start, tokens.at(-1)!.end);
        const positions = name === null ? null : derived(text);
        if (name !== null && positions !== null) this.#remember(name, positions);
        continue;
      }
      if (first !== 'fetch') continue;
      const name = fetchedName(tokens);
      const found =
        name === null ? null : (this.#positions.get(name) ?? (this.#overflowed ? ALL_POSITIONS : null));
      if (found !== null) fetched = unitePositions(fetched ?? undefined, found);
    }
    if (fetched === null || pieces.length === 1) return fetched;
    const others = derived(statement);
    return others === null ? fetched : unitePositions(fetched, others);
  }

  #remember(name: string, positions: DerivedPositions): void {
    const known = this.#positions.get(name);
    if (known === undefined && this.#positions.size >= MAX_CURSORS) {
      this.#overflowed = true;
      return;
    }
    this.#positions.set(name, unitePositions(known, positions));
  }
}

/** `DECLARE name [BINARY] [ASENSITIVE | INSENSITIVE] [[NO] SCROLL] CURSOR …`: the name. */
function declaredName(tokens: readonly SqlToken[]): string | null {
  const name = tokens[1];
  if (name?.kind !== 'ident') return null;
  for (let k = 2; k < Math.min(tokens.length, 8); k++) if (tokens[k]!.text === 'cursor') return name.text;
  return null;
}

/**
 * `FETCH [direction [count]] [FROM | IN] name`: the name is the statement's last identifier (the
 * directions are words, the counts numbers).
 */
function fetchedName(tokens: readonly SqlToken[]): string | null {
  const k = tokens.length - 1;
  const t = tokens[k];
  return k > 0 && t?.kind === 'ident' ? t.text : null;
}

/** The statements of a text, split at each `;` (the tokens hold no `;` of a string or comment), empty ones left out. */
function statementsOf(tokens: readonly SqlToken[]): SqlToken[][] {
  const pieces: SqlToken[][] = [[]];
  for (const t of tokens)
    if (t.kind === 'punct' && t.text === ';') pieces.push([]);
    else pieces.at(-1)!.push(t);
  return pieces.filter((p) => p.length > 0);
}
