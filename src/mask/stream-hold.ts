// Where a streaming masker must start holding text back (Scanner.holdFrom): no match can start
// before the offset returned and still grow with text not yet seen. Kept apart from the scan: it
// reads the same compiled rules, but asks what could still match, not what matches.
import { type Family, type FutureAnchor, LOOKAHEAD_MARGIN, partialSuffix } from './compiled-rules.js';
import type { KnownEscapedSearch } from './known-escaped-search.js';
import { isRunChar, type TokenRunFinder } from './token-runs.js';

/** An unanchored rule's trailing characters (`tailChars`), or its whole length when it has none. */
export interface TailRule {
  readonly tail: RegExp | null;
  readonly maxLength: number;
}

/** The parts of a compiled rule set that decide the hold. */
export interface HoldParts {
  readonly runs: TokenRunFinder | null;
  readonly anchorFamily: Family | null;
  readonly futureAnchors: readonly FutureAnchor[];
  readonly tails: readonly TailRule[];
  readonly knownLiterals: readonly string[];
  /** The known secrets spelled with `\u` escapes, when there are known secrets. */
  readonly knownEscaped: KnownEscapedSearch | null;
  readonly maxMatchLength: number;
}

export class StreamHold {
  constructor(private readonly parts: HoldParts) {}

  /**
   * The earliest of: a token run or block open at the end; an anchor seen whose rule's longest
   * match would reach past the end; the run of characters that could precede an anchor not yet
   * seen; the trailing run of an unanchored rule's tail characters; a suffix that begins a known
   * secret. Never inside a token run. `text` is the visible reading (invisible characters set aside).
   */
  from(text: string, from: number): number {
    const n = text.length;
    let hold = n;
    if (this.parts.runs) hold = Math.min(hold, this.parts.runs.openStart(text, from));
    // Anchors already in the text whose match could still grow.
    const family = this.parts.anchorFamily;
    if (family) {
      const horizon = Math.max(from, n - this.parts.maxMatchLength - LOOKAHEAD_MARGIN);
      const search = family.anchors!;
      for (let at = search.next(text, horizon); at >= 0; at = search.next(text, at + 1)) {
        const rules = family.byAnchor!.get(search.root())!;
        for (const r of rules) {
          if (r.exact !== null && !r.exact.some((l) => text.startsWith(l, at))) continue;
          const start = Math.max(from, at - r.back);
          if (start + r.c.rule.maxLength + LOOKAHEAD_MARGIN > n) hold = Math.min(hold, start);
        }
        if (hold <= from) return from;
      }
    }
    // Anchors not yet (wholly) seen: a suffix that begins a literal, and what may precede it.
    for (const a of this.parts.futureAnchors) {
      for (const literal of a.literals) {
        const partial = partialSuffix(text, literal, a.caseInsensitive, from);
        let start = n - partial;
        let back = 0;
        while (
          back < a.back &&
          start > from &&
          (a.backChars === null || a.backChars.test(text[start - 1]!))
        ) {
          start--;
          back++;
        }
        if (start < hold) hold = start;
      }
    }
    for (const t of this.parts.tails) {
      let start = n;
      if (t.tail === null) start = n - t.maxLength - LOOKAHEAD_MARGIN;
      else
        while (start > from && n - start < t.maxLength + LOOKAHEAD_MARGIN && t.tail.test(text[start - 1]!))
          start--;
      if (start < hold) hold = start;
    }
    for (const literal of this.parts.knownLiterals) {
      const partial = partialSuffix(text, literal, false, from);
      if (n - partial < hold) hold = n - partial;
    }
    if (this.parts.knownEscaped) hold = Math.min(hold, this.parts.knownEscaped.openFrom(text, from));
    hold = Math.max(from, hold);
    // Never inside a token run: the run is judged whole.
    while (
      hold > from &&
      hold < n &&
      isRunChar(text.charCodeAt(hold - 1)) &&
      isRunChar(text.charCodeAt(hold))
    )
      hold--;
    return hold;
  }
}
