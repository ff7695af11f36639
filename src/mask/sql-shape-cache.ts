// The reading of which values of a statement are bound to secret columns (sql-columns.ts), kept by
// the statement's shape (integer-literal-shape.ts): `… WHERE aid = 1` and `… WHERE aid = 2` are
// read once, and the second text's spans are the first's moved by the difference in the integers'
// lengths. pgbench sends a new text for every statement, and the reading was about half of what
// masking a statement cost (bench/RESULTS.md, 7 December).
//
// The reading depends only on the text, the reading of its strings and the secret-name matcher,
// which is fixed for one masker: no connection's state enters it (the cursors, variables and
// session relations of sql-connection-state.ts are read for results, in value-echoes.ts), and it
// changes none. So one cache serves every connection of a masker, keyed by reading and shape.
//
// A shape is trusted only if the first text of it and a probe (the same text with every integer
// replaced by another of another length) read the same after moving; a span that begins or ends
// inside an integer other than at its edges cannot be moved, and such a shape is read every time.
// The cache holds no value: a shaped text has no strings, and its integers are holes.
import { type IntegerShape, integerShape } from './integer-literal-shape.js';
import { type SqlBindings, type SqlValueSpan, secretBindings } from './sql-columns.js';
import type { SqlReading } from './sql-tokens.js';

export type BindingsReader = (sql: string, reading: SqlReading | 'both') => SqlBindings;

/** An offset in a shaped text, as the hole it follows and the distance from that hole's end. */
interface Anchor {
  /** How many holes end at or before the offset; 0: measured from the start of the text. */
  readonly after: number;
  readonly delta: number;
}

interface CachedReading {
  readonly params: ReadonlyMap<number, string>;
  readonly literals: readonly { readonly start: Anchor; readonly end: Anchor; readonly column: string }[];
}

/** Shapes kept per masker; past this the cache starts again (a few hundred bytes each). */
export const SHAPE_CACHE_LIMIT = 4096;

export class ShapeCachedBindings {
  /** Reading and shape key → the reading its texts share, or null: read each text. */
  readonly #shapes = new Map<string, CachedReading | null>();
  readonly #secret: (column: string) => boolean;
  readonly #limit: number;
  #hits = 0;
  #misses = 0;

  constructor(secret: (column: string) => boolean, limit = SHAPE_CACHE_LIMIT) {
    this.#secret = secret;
    this.#limit = limit;
  }

  /** secretBindings(sql, secret, reading), the same for every text, read once per shape. */
  read(sql: string, reading: SqlReading | 'both' = 'both'): SqlBindings {
    const shape = this.#limit > 0 ? integerShape(sql) : null;
    if (shape === null) return secretBindings(sql, this.#secret, reading);
    const key = `${reading}\u0000${shape.key}`;
    const known = this.#shapes.get(key);
    if (known !== undefined) {
      if (known === null) return secretBindings(sql, this.#secret, reading);
      this.#hits++;
      return moved(known, shape);
    }
    this.#misses++;
    const fresh = secretBindings(sql, this.#secret, reading);
    this.#remember(key, this.#trusted(sql, shape, fresh, reading));
    return fresh;
  }

  /** How often a shape's reading was reused and how often a new shape was read (tests, benches). */
  get stats(): { readonly hits: number; readonly misses: number; readonly shapes: number } {
    return { hits: this.#hits, misses: this.#misses, shapes: this.#shapes.size };
  }

  #trusted(
    sql: string,
    shape: IntegerShape,
    fresh: SqlBindings,
    reading: SqlReading | 'both',
  ): CachedReading | null {
    const cached = anchored(fresh, shape);
    if (cached === null || shape.holes.length === 0) return cached;
    const probe = probeText(sql, shape);
    const probeShape = integerShape(probe);
    if (probeShape === null || probeShape.holes.length !== shape.holes.length) return null;
    const expected = moved(cached, probeShape);
    return sameBindings(expected, secretBindings(probe, this.#secret, reading)) ? cached : null;
  }

  #remember(key: string, value: CachedReading | null): void {
    if (this.#shapes.size >= this.#limit) this.#shapes.clear();
    this.#shapes.set(key, value);
  }
}

/** Where each hole of `shape` ends (0 for "before the first hole"), by the number of holes before. */
function holeEnd(holes: readonly number[], after: number): number {
  return after === 0 ? 0 : holes[2 * after - 1]!;
}

/** An offset as an anchor, or null when it falls strictly inside a hole. */
function anchor(offset: number, holes: readonly number[]): Anchor | null {
  let after = 0;
  for (let h = 0; h < holes.length; h += 2) {
    const start = holes[h]!;
    const end = holes[h + 1]!;
    if (offset < start) break;
    if (offset === start) break; // at a hole's start: measured from the text before it
    if (offset < end) return null;
    after = h / 2 + 1;
  }
  return { after, delta: offset - holeEnd(holes, after) };
}

function anchored(bindings: SqlBindings, shape: IntegerShape): CachedReading | null {
  const literals: { start: Anchor; end: Anchor; column: string }[] = [];
  for (const l of bindings.literals) {
    const start = anchor(l.start, shape.holes);
    const end = anchor(l.end, shape.holes);
    if (start === null || end === null) return null;
    literals.push({ start, end, column: l.column });
  }
  return { params: new Map(bindings.params), literals };
}

function moved(cached: CachedReading, shape: IntegerShape): SqlBindings {
  const at = (a: Anchor) => holeEnd(shape.holes, a.after) + a.delta;
  const literals: SqlValueSpan[] = cached.literals.map((l) => ({
    start: at(l.start),
    end: at(l.end),
    column: l.column,
  }));
  return { params: cached.params, literals };
}

/** `sql` with each integer replaced by another one, one digit longer or more (no leading zero). */
function probeText(sql: string, shape: IntegerShape): string {
  let out = '';
  let copied = 0;
  for (let h = 0; h < shape.holes.length; h += 2) {
    const start = shape.holes[h]!;
    const end = shape.holes[h + 1]!;
    const digits = String(h / 2 + 1);
    const value = end - start + 1 > digits.length ? digits.padStart(end - start + 1, '9') : `9${digits}`;
    out += sql.slice(copied, start) + value;
    copied = end;
  }
  return out + sql.slice(copied);
}

function sameBindings(a: SqlBindings, b: SqlBindings): boolean {
  if (a.params.size !== b.params.size || a.literals.length !== b.literals.length) return false;
  for (const [param, column] of a.params) if (b.params.get(param) !== column) return false;
  return a.literals.every((l, i) => {
    const o = b.literals[i]!;
    return l.start === o.start && l.end === o.end && l.column === o.column;
  });
}
