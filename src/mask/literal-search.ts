// Finds the known secrets' literals (every spelling of each injected credential): the leftmost
// occurrence at or after a position, the longest literal there. A few literals are each found with
// indexOf, which V8 runs as a Boyer-Moore-Horspool search that reads a fraction of the text for a
// literal of 8 characters or more; many are found with one expression of all of them, whose cost
// does not grow with their number.
import { SHORT_TEXT } from './anchor-search.js';
import { literalTrie } from './regex-text.js';

/** Up to this many literals, one indexOf each is cheaper than one expression of all. */
const MAX_INDEXOF_LITERALS = 24;

export class LiteralSearch {
  private readonly literals: readonly string[];
  private readonly re: RegExp;
  private readonly many: boolean;
  /** Per literal, its next occurrence found from `from` in `text` (-1: none). */
  private readonly at: number[];
  private readonly from: number[];
  private text: string | null = null;
  private found = '';

  constructor(literals: readonly string[]) {
    this.literals = [...literals].sort((a, b) => b.length - a.length);
    this.many = this.literals.length > MAX_INDEXOF_LITERALS;
    this.re = new RegExp(literalTrie(this.literals), 'g');
    this.at = this.literals.map(() => -1);
    this.from = this.literals.map(() => 0);
  }

  /** The first offset at or after `pos` where a literal occurs, or -1; the literal is `literal()`. */
  next(text: string, pos: number): number {
    // A short text (a cell, a value) is read once by the expression rather than once per literal.
    if (this.many || text.length < SHORT_TEXT) {
      this.re.lastIndex = pos;
      const m = this.re.exec(text);
      if (m === null) return -1;
      this.found = m[0];
      return m.index;
    }
    if (this.text !== text) {
      this.text = text;
      this.from.fill(Number.POSITIVE_INFINITY);
    }
    let best = -1;
    // Longest first, so at equal offsets the longest literal is kept (as the expression would).
    for (let i = 0; i < this.literals.length; i++) {
      let at = this.at[i]!;
      if (!(pos >= this.from[i]! && (at < 0 || pos <= at))) {
        at = text.indexOf(this.literals[i]!, pos);
        this.at[i] = at;
        this.from[i] = pos;
      }
      if (at >= 0 && (best < 0 || at < best)) {
        best = at;
        this.found = this.literals[i]!;
      }
    }
    return best;
  }

  /** The literal found at the offset `next` returned last. */
  literal(): string {
    return this.found;
  }
}
