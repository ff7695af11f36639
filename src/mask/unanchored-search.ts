// Where the rules without an anchor (card numbers, telephone numbers, IBANs, social security
// numbers, custom rules) can match, found by one expression for all of them: the alternation of
// their patterns matches at an offset exactly when one of them does there, so stepping it one
// offset at a time gives every offset where some rule matches, and each rule is then tried there
// alone (sticky). One native pass over the text replaces one pass per rule; the offsets found are
// kept, so the rules share them.

/** Whether an escape in `pattern` is a back-reference (`\1` to `\9`, `\k<name>`); `\\1` is not. */
function hasBackReference(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] !== '\\') continue;
    const next = pattern[i + 1] ?? '';
    if (/[1-9]/.test(next) || (next === 'k' && pattern[i + 2] === '<')) return true;
    i++; // the escaped character
  }
  return false;
}

export class UnanchoredSearch {
  private readonly re: RegExp;
  private text: string | null = null;
  /** Every offset in [start, scanned) where some rule matches, ascending. */
  private readonly hits: number[] = [];
  private start = 0;
  private scanned = 0;

  /**
   * `patterns`: the rules' patterns. Their named groups are made plain (only where a match starts
   * matters here), so two rules with the same pattern (a copy under another id) are one alternative.
   */
  constructor(patterns: readonly string[]) {
    // Joined into one alternation with its named groups made plain, a back-reference would point at
    // another rule's group or at nothing. Custom rules refuse them (pattern-rewrite.ts) and no
    // catalogue rule has one; a catalogue rule that adds one must fail here, not mask less.
    const withReference = patterns.find(hasBackReference);
    if (withReference !== undefined) {
      throw new Error(`a rule without anchors may not use back-references: ${withReference}`);
    }
    const plain = new Set(patterns.map((p) => p.replace(/\(\?<([A-Za-z_][A-Za-z0-9_]*)>/g, '(?:')));
    this.re = new RegExp([...plain].map((p) => `(?:${p})`).join('|'), 'g');
  }

  /** The first offset at or after `pos` where some rule matches, or -1. */
  next(text: string, pos: number): number {
    if (text !== this.text || pos < this.start || pos > this.scanned) {
      this.text = text;
      this.hits.length = 0;
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
