// Finds, in order, the offsets where an anchor literal of the rule set occurs, for the scanner to
// verify with the rules of that literal. One case-insensitive expression of every literal made V8
// try twenty-odd first characters at every offset (about 5 ns a character, the largest cost of a
// scan); the literals are split by what they need into three expressions whose first characters are
// few, each run natively and merged by offset:
// - literals of rules that ignore case (password, token, Bearer): one case-insensitive expression;
// - case-sensitive token prefixes with a dash or underscore after a lower-case start (ghp_, glpat-,
//   xoxb-, sk_live_, hf_): found at that dash or underscore, whose preceding letters a lookbehind
//   checks, which reads one character where the others read every letter;
// - the other case-sensitive literals (AKIA, eyJ, SK, -----BEGIN, @, ://): one expression.
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
    if (plain.size > 0) {
      const re = new RegExp(literalTrie([...plain.keys()]), 'g');
      this.searches.push(
        new SubSearch((text, pos, out) => {
          re.lastIndex = pos;
          const m = re.exec(text);
          if (m === null) return -1;
          out.setRoot(plain.get(m[0])!);
          return m.index;
        }),
      );
    }
    if (pivoted.length > 0) this.searches.push(pivotSearch(pivoted));
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
 * Literals found at their first dash or underscore: the expression stops only where the letters
 * before it spell a literal's start, and each literal is then checked whole. The first dash that
 * completes a literal gives the earliest start: a literal starting earlier would have its own first
 * dash later, so the earlier dash would lie among its letters, which have none.
 */
function pivotSearch(pivoted: readonly Pivoted[]): SubSearch {
  const behind = [...new Set(pivoted.map((p) => p.literal.slice(0, p.pivot + 1)))];
  const re = new RegExp(`[-_](?<=${literalTrie(behind)})`, 'g');
  return new SubSearch((text, pos, out) => {
    re.lastIndex = pos;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const q = m.index;
      let best = -1;
      for (const p of pivoted) {
        const start = q - p.pivot;
        if (start >= pos && (best < 0 || start < best) && text.startsWith(p.literal, start)) {
          best = start;
          out.setRoot(p.root);
        }
      }
      if (best >= 0) return best;
      re.lastIndex = q + 1;
    }
    return -1;
  });
}
