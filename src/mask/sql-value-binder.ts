// Binds a value of a statement to a column: the tokens from where the value starts up to where it
// ends (a `,`, `)`, `;` or a word such as AND at its own depth), as a range whose literals and
// parameters sql-columns.ts then attributes to the column. A parenthesised group and a CASE are
// stepped over in one move; a CASE's THEN and ELSE branches are bound, not its conditions.
//
// Where a value ends depends only on where it starts, so each token's end is remembered once a
// scan has passed it: readers bind many values that run to the same end (`'x' = password` repeated,
// `password BETWEEN` repeated, with no AND or comma between), and scanning each to its end made a
// statement of a megabyte of them take 15 s of the event loop until 6 December.
import type { SqlToken } from './sql-tokens.js';

/** Tokens [from, to) form a value bound to `column`. */
export interface BoundRange {
  readonly from: number;
  readonly to: number;
  readonly column: string;
}

/** Words that end a value at its own depth. */
const VALUE_END = new Set([
  'and',
  'or',
  'where',
  'from',
  'returning',
  'group',
  'order',
  'limit',
  'having',
  'on',
  'set',
  'values',
  'then',
  'else',
  'end',
  'when',
  'union',
  'select',
]);

const CASE_PARTS = new Set(['when', 'then', 'else', 'end']);
/** Past this many CASEs inside one another a CASE is bound whole, conditions too: the stack is kept. */
const MAX_CASE_DEPTH = 32;

export class ValueBinder {
  readonly ranges: BoundRange[] = [];
  readonly #tokens: readonly SqlToken[];
  readonly #match: Int32Array;
  readonly #cases: Int32Array;
  /** For a token a scan passed, where that scan's value ended (-1: not known yet). */
  readonly #endFrom: Int32Array;
  /** CASEs whose branches are bound already. */
  readonly #bound: Uint8Array;
  /** Tokens looked at so far, over every value bound: linear in the statement's (a test pins it). */
  steps = 0;

  /** `match` gives the `)` of each `(`, `cases` the END of each CASE (sql-parens.ts). */
  constructor(tokens: readonly SqlToken[], match: Int32Array, cases: Int32Array) {
    this.#tokens = tokens;
    this.#match = match;
    this.#cases = cases;
    this.#endFrom = new Int32Array(tokens.length).fill(-1);
    this.#bound = new Uint8Array(tokens.length);
  }

  /** Binds the value that starts at token `from` to `column`; returns the token it ends at. */
  bind(from: number, column: string, depth = 0): number {
    const tokens = this.#tokens;
    const passed: number[] = [];
    let start = from;
    let k = from;
    for (; k < tokens.length; k++) {
      const known = this.#endFrom[k]!;
      if (known >= 0) {
        k = known;
        break;
      }
      passed.push(k);
      this.steps++;
      const t = tokens[k]!;
      if (t.kind === 'punct') {
        if (t.text === '(') {
          // A group is stepped over whole (its values are bound by the range); one never closed
          // runs to the end, as a scan of its depth did.
          if (this.#match[k]! < 0) {
            k = tokens.length;
            break;
          }
          k = this.#match[k]!;
        } else if (t.text === ')' || t.text === ',' || t.text === ';') break;
      } else if (t.kind === 'ident' && t.text === 'case') {
        const end = this.#cases[k]! >= 0 ? this.#cases[k]! : tokens.length;
        if (depth >= MAX_CASE_DEPTH || this.#bound[k]) {
          k = end;
          continue;
        }
        this.#bound[k] = 1;
        if (column !== '' && k > start) this.ranges.push({ from: start, to: k, column });
        k = this.#bindCase(k, column, depth + 1);
        start = k + 1;
        // A branch cut short by `,` or `)` (a CASE never closed) ends the value there.
        if (tokens[k]?.text !== 'end') break;
      } else if (t.kind === 'ident' && VALUE_END.has(t.text)) break;
    }
    for (const q of passed) this.#endFrom[q] = k;
    if (column !== '' && k > start) this.ranges.push({ from: start, to: k, column });
    return k;
  }

  /** Binds tokens [from, to) to `column` as one value, whatever they hold; returns `to`. */
  bindBefore(from: number, to: number, column: string): number {
    if (column !== '' && to > from) this.ranges.push({ from, to, column });
    return to;
  }

  /** Binds the branches of the CASE at token `at`; returns the index of its END, or where it was cut short. */
  #bindCase(at: number, column: string, depth: number): number {
    const tokens = this.#tokens;
    let k = at + 1;
    while (k < tokens.length) {
      this.steps++;
      const t = tokens[k]!;
      if (t.kind === 'ident' && (t.text === 'then' || t.text === 'else')) {
        k = this.bind(k + 1, column, depth);
        const stop = tokens[k];
        // A branch ends at WHEN, ELSE or END; anything else (`,`, `)`) leaves the CASE unclosed.
        if (stop === undefined || stop.kind !== 'ident' || !CASE_PARTS.has(stop.text)) return k;
        if (stop.text === 'end') return k;
      } else if (t.kind === 'ident' && t.text === 'end') return k;
      else if (t.kind === 'ident' && t.text === 'case')
        k = this.#cases[k]! >= 0 ? this.#cases[k]! + 1 : tokens.length;
      else if (t.kind === 'punct' && t.text === '(' && this.#match[k]! >= 0) k = this.#match[k]! + 1;
      else k++;
    }
    return tokens.length;
  }
}
