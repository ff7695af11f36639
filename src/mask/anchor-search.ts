// Finds, in order, the offsets where an anchor literal of the rule set occurs, for the scanner to
// verify with the rules of that literal. One case-insensitive expression of every literal made V8
// try twenty-odd first characters at every offset (about 5 ns a character, the largest cost of a
// scan). The literals are split by what they need into two expressions whose first characters are
// few, each run natively and merged by offset:
// - literals of rules that ignore case (password, token, Bearer): one case-insensitive expression;
// - case-sensitive literals (AKIA, eyJ, SK, -----BEGIN, @, ://) and, in the same expression, token
//   prefixes with a dash or underscore after a lower-case start (ghp_, glpat-, xoxb-, sk_live_,
//   hf_), found at that dash or underscore, whose preceding letters a lookbehind checks: that reads
//   one character where the prefixes' own first letters would stop at every letter.
// Adding the case-insensitive literals to the second expression made it four times slower (too many
// first characters); keeping the prefixes in a third made the two case-sensitive passes cost half as
// much again as one (bench/RESULTS.md, masking).
// A case-sensitive literal was found before in any case and then checked; finding it in its own case
// only skips offsets where that check failed, so the scanner's result is the same.
import { literalTrie } from './regex-text.js';

/** One anchor root (lower case) and, when every rule under it is case-sensitive, its exact forms. */
export interface AnchorRoot {
  readonly root: string;
  /** The case-sensitive literals cut to the root's length; null when a rule under it ignores case. */
  readonly exact: readonly string[] | null;
}

interface Pivoted {
  readonly literal: string;
  readonly root: string;
  /** Index of the literal's first dash or underscore. */
  readonly pivot: number;
}

/** The next hit of one expression at or after a position, remembered for the same text. */
class SubSearch {
  private text: string | null = null;
  private from = 0;
  private at = -1;
  private root = '';

  constructor(private readonly find: (text: string, pos: number, out: SubSearch) => number) {}

  next(text: string, pos: number): number {
    // A hit found from an earlier position is still the first one at or after `pos`.
    if (this.text === text && pos >= this.from && (this.at < 0 || pos <= this.at)) return this.at;
    this.text = text;
    this.from = pos;
    this.at = this.find(text, pos, this);
    return this.at;
  }

  hitRoot(): string {
    return this.root;
  }

  setRoot(root: string): void {
    this.root = root;
  }
}

/**
 * Below this length a text is searched with one expression of every literal, ignoring case: three
 * calls cost more than the characters they save (database cells, JSON values, stream deltas).
 */
export const SHORT_TEXT = 256;

export class AnchorSearch {
  private readonly searches: SubSearch[] = [];
  private readonly all: RegExp;
  private lastRoot = '';

  constructor(roots: readonly AnchorRoot[]) {
    this.all = new RegExp(
      literalTrie(
        roots.map((r) => r.root),
        true,
      ),
      'gi',
    );
    const ci = roots.filter((r) => r.exact === null).map((r) => r.root);
    const pivoted: Pivoted[] = [];
    const plain = new Map<string, string>();
    for (const r of roots) {
      if (r.exact === null) continue;
      for (const literal of r.exact) {
        const pivot = literal.search(/[-_]/);
        if (pivot >= 1 && /^[a-z]/.test(literal)) pivoted.push({ literal, root: r.root, pivot });
        else plain.set(literal, r.root);
      }
    }
    if (ci.length > 0) {
      const re = new RegExp(literalTrie(ci, true), 'gi');
      this.searches.push(
        new SubSearch((text, pos, out) => {
          re.lastIndex = pos;
          const m = re.exec(text);
          if (m === null) return -1;
          out.setRoot(m[0].toLowerCase());
          return m.index;
        }),
      );
    }
    if (plain.size > 0 || pivoted.length > 0) this.searches.push(caseSensitiveSearch(plain, pivoted));
  }

  /** The first offset at or after `pos` where a literal occurs, or -1; its root is `root()`. */
  next(text: string, pos: number): number {
    if (text.length < SHORT_TEXT) {
      // Hits in another case than a case-sensitive literal's are verified away by the scanner.
      this.all.lastIndex = pos;
      const m = this.all.exec(text);
      if (m === null) return -1;
      this.lastRoot = m[0].toLowerCase();
      return m.index;
    }
    let best = -1;
    for (const s of this.searches) {
      const at = s.next(text, pos);
      if (at >= 0 && (best < 0 || at < best)) {
        best = at;
        this.lastRoot = s.hitRoot();
      }
    }
    return best;
  }

  /** The root (lower case) of the literal at the offset `next` returned last. */
  root(): string {
    return this.lastRoot;
  }
}

/**
 * The case-sensitive literals, in one expression: the plain ones as they are, and token prefixes
 * found at their first dash or underscore, where a lookbehind checks the letters before it (it stops
 * only where they spell a literal's start, and each literal is then checked whole). One expression
 * reads the text once: as two, the same hits cost half as much again.
 *
 * A dash hit gives the earliest start among the prefixes ending there: one starting earlier would
 * have its own first dash later, so the earlier dash would lie among its letters, which have none.
 * For the same reason a prefix can start before a plain literal only if its dash comes after that
 * literal's first character, and then no further than the longest prefix before a dash: those few
 * characters are checked at a plain hit, so hits come out in order of their starts.
 */
function caseSensitiveSearch(plain: ReadonlyMap<string, string>, pivoted: readonly Pivoted[]): SubSearch {
  const behind = [...new Set(pivoted.map((p) => p.literal.slice(0, p.pivot + 1)))];
  const pivotSource = behind.length > 0 ? `[-_](?<=${literalTrie(behind)})` : null;
  const plainSource = plain.size > 0 ? literalTrie([...plain.keys()]) : null;
  const either = new RegExp([pivotSource, plainSource].filter((s) => s !== null).join('|'), 'g');
  const pivotAt = pivotSource === null ? null : new RegExp(pivotSource, 'y');
  const plainAt = plainSource === null ? null : new RegExp(plainSource, 'y');
  const reach = Math.max(0, ...pivoted.map((p) => p.pivot));
  const isDash = (text: string, q: number) => text[q] === '-' || text[q] === '_';
  let pivotRoot = '';

  /** The earliest start in [pos, before) of a prefix whose first dash is at `q`, or -1 (root in pivotRoot). */
  const pivotStart = (text: string, q: number, pos: number, before: number): number => {
    let best = -1;
    for (const p of pivoted) {
      const start = q - p.pivot;
      if (start >= pos && start < before && (best < 0 || start < best) && text.startsWith(p.literal, start)) {
        best = start;
        pivotRoot = p.root;
      }
    }
    return best;
  };
  const plainHit = (text: string, q: number): string | undefined => {
    if (plainAt === null) return undefined;
    plainAt.lastIndex = q;
    const m = plainAt.exec(text);
    return m === null ? undefined : plain.get(m[0]);
  };

  return new SubSearch((text, pos, out) => {
    either.lastIndex = pos;
    for (let m = either.exec(text); m !== null; m = either.exec(text)) {
      const q = m.index;
      const dashHit = m[0].length === 1 && isDash(text, q) && !plain.has(m[0]);
      if (dashHit) {
        const start = pivotStart(text, q, pos, q);
        if (start >= 0) {
          out.setRoot(pivotRoot);
          return start;
        }
        // The prefixes here start before `pos`; a plain literal may still start at the dash.
        const root = plainHit(text, q);
        if (root !== undefined) {
          out.setRoot(root);
          return q;
        }
        either.lastIndex = q + 1;
        continue;
      }
      let best = q;
      out.setRoot(plain.get(m[0])!);
      if (pivotAt !== null && !isDash(text, q)) {
        for (let j = q + 1; j <= q + reach && j < text.length; j++) {
          if (!isDash(text, j)) continue;
          pivotAt.lastIndex = j;
          if (!pivotAt.test(text)) continue;
          const start = pivotStart(text, j, pos, best);
          if (start >= 0) {
            best = start;
            out.setRoot(pivotRoot);
          }
        }
      }
      return best;
    }
    return -1;
  });
}
