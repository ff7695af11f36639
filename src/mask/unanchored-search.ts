// Where the rules without an anchor (card numbers, telephone numbers, IBANs, social security
// numbers, custom rules) can match, found by one expression for all of them: the alternation of
// their patterns matches at an offset exactly when one of them does there, so stepping it one
// offset at a time gives every offset where some rule matches, and each rule is then tried there
// alone (sticky). One native pass over the text replaces one pass per rule; the offsets found are
// kept, so the rules share them.

export class UnanchoredSearch {
  private readonly re: RegExp;
  private text: string | null = null;
  /** Every offset in [start, scanned) where some rule matches, ascending. */
  private hits: number[] = [];
  private start = 0;
  private scanned = 0;

  /** `sources`: the rules' patterns with their groups already named apart (compiled-rules.ts). */
  constructor(sources: readonly string[]) {
    this.re = new RegExp(sources.map((s) => `(?:${s})`).join('|'), 'g');
  }

  /** The first offset at or after `pos` where some rule matches, or -1. */
  next(text: string, pos: number): number {
    if (text !== this.text || pos < this.start || pos > this.scanned) {
      this.text = text;
      this.hits = [];
      this.start = pos;
      this.scanned = pos;
    }
    const hits = this.hits;
    let lo = 0;
    let hi = hits.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (hits[mid]! < pos) lo = mid + 1;
      else hi = mid;
    }
    if (lo < hits.length) return hits[lo]!;
    if (this.scanned > text.length) return -1;
    this.re.lastIndex = this.scanned;
    const m = this.re.exec(text);
    if (m === null) {
      this.scanned = text.length + 1;
      return -1;
    }
    hits.push(m.index);
    this.scanned = m.index + 1;
    return m.index;
  }
}
