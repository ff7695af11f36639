// The compiled form of a rule set. A prefilter finds where rules can match: the literal anchors of
// every rule (token prefixes, keywords, '@', '://') found together (anchor-search.ts), whose hits
// are verified by the anchored rules' sticky patterns; adding rules adds literals, not passes.
// Beside it: the known secrets (literal-search.ts), the token-run pass for unlabelled key material
// (token-runs.ts), and one shared pass for the rules without an anchor (unanchored-search.ts).
// The families' candidates are merged leftmost first (ties: catalogue order), and a family whose
// candidate is overtaken by an accepted match searches again after it. How rules and families are
// compiled is compiled-rules.ts; this file is the scan and the stream's hold.
import {
  type AnchoredRule,
  anchorFamily,
  type CompiledRule,
  compileRule,
  continuePiece,
  type Family,
  type KnownEntry,
  LOOKAHEAD_MARGIN,
  type RawFinding,
} from './compiled-rules.js';
import { KnownEscapedSearch } from './known-escaped-search.js';
import { LiteralSearch } from './literal-search.js';
import { plainReading } from './plain-reading.js';
import { StreamHold, type TailRule } from './stream-hold.js';
import { TokenRunFinder } from './token-runs.js';
import type { DetectorRule } from './types.js';
import { UnanchoredSearch } from './unanchored-search.js';
import { shannonEntropy } from './validators.js';

export { type CompiledRule, type KnownEntry, LOOKAHEAD_MARGIN, type RawFinding } from './compiled-rules.js';

/** Token-run findings lose ties to every rule (a prefixed token is named by its rule). */
const RUN_PRIORITY = 1_000_000;
/** Up to this far back, a rule is tried at each start; further, searched in a window. */
const SHORT_BACK = 4;
/** Text kept before a search window so lookbehinds and \b see what precedes it. */
const WINDOW_CONTEXT = 32;

export interface ScanResult {
  readonly findings: RawFinding[];
  /** Text before this offset is decided. */
  readonly next: number;
  /** A rule whose match ran to its length cap: its continuation is tried at `next`. */
  readonly pending: CompiledRule | null;
}

interface Candidate {
  readonly start: number;
  /** Where the scan resumes: the end of the whole match. */
  readonly end: number;
  readonly priority: number;
  readonly finding: RawFinding;
  readonly rule: CompiledRule | null;
  readonly match: string;
}

export class Scanner {
  readonly maxMatchLength: number;
  /** Work done, for the test that hostile input cannot stall the masker: pattern executions. */
  readonly stats = { verifications: 0 };
  private readonly families: readonly Family[];
  private readonly prefixed: readonly { rule: CompiledRule; exact: RegExp }[];
  private readonly allow: ReadonlySet<string>;
  private readonly hold: StreamHold;

  /**
   * `readInvisible`: read text with invisible characters set aside and full-width forms folded
   * (plain-reading.ts). Off for a scanner of known secrets alone over bodies passed byte for byte,
   * where a download's random bytes would be read through at a tenth of the speed for a case that
   * never arises.
   */
  constructor(
    rules: readonly DetectorRule[],
    known: ReadonlyMap<string, KnownEntry>,
    allow: ReadonlySet<string>,
    readonly readInvisible = true,
  ) {
    this.allow = allow;
    const runRules = new Set(rules.filter((r) => r.engine === 'token-runs').map((r) => r.id));
    const compiled = rules.filter((r) => r.engine === undefined).map(compileRule);
    const families: Family[] = [];
    let escaped: KnownEscapedSearch | null = null;
    if (known.size > 0) {
      const literals = [...known.keys()].sort((a, b) => b.length - a.length);
      // Spelled with `\u` escapes: first, so at one offset it wins over a plain spelling it extends.
      escaped = new KnownEscapedSearch(literals);
      families.push({ escaped, finder: /$^/g, byAnchor: null, caseInsensitive: false, own: null, known });
      families.push({
        literals: new LiteralSearch(literals),
        finder: /$^/g,
        byAnchor: null,
        caseInsensitive: false,
        own: null,
        known,
      });
    }
    // Every literal anchor of every rule in one case-insensitive expression.
    const members = compiled.flatMap((c) => (c.rule.anchors ?? []).map((anchor) => ({ c, anchor })));
    const anchors = members.length > 0 ? anchorFamily(members) : null;
    if (anchors) families.push(anchors);
    const futureAnchors = members.map(({ anchor }) => ({
      literals: anchor.literals,
      caseInsensitive: anchor.caseInsensitive ?? false,
      back: anchor.back ?? 0,
      backChars: anchor.backChars ? new RegExp(`${anchor.backChars}`) : null,
    }));
    const runs = runRules.size > 0 ? new TokenRunFinder(runRules) : null;
    if (runs) {
      families.push({
        runs,
        finder: /$^/g,
        byAnchor: null,
        caseInsensitive: false,
        own: null,
        known: null,
      });
    }
    // Unanchored rules: a stream holds back their trailing run of `tailChars`, or `maxLength`.
    const tails: TailRule[] = [];
    const unanchored = compiled.filter((c) => !c.rule.anchors);
    const union = unanchored.length > 0 ? new UnanchoredSearch(unanchored.map((c) => c.rule.pattern)) : null;
    for (const c of compiled) {
      if (!c.rule.anchors) {
        families.push({
          union: union!,
          finder: /$^/g,
          byAnchor: null,
          caseInsensitive: false,
          own: c,
          known: null,
        });
        tails.push({
          tail: c.rule.tailChars ? new RegExp(`${c.rule.tailChars}`) : null,
          maxLength: c.rule.maxLength,
        });
      }
    }
    this.families = families;
    // Rules recognised by a case-sensitive prefix, to name what a keyword rule found.
    this.prefixed = compiled
      .filter(
        (c) =>
          !c.rule.refine &&
          (c.rule.anchors ?? []).some((a) => !a.caseInsensitive && a.literals[0]!.length > 1),
      )
      .map((c) => ({ rule: c, exact: new RegExp(`^(?:${c.rule.pattern})$`) }));
    const longestLiteral = Math.max(0, ...[...known.keys()].map((k) => k.length));
    // Token runs are held while open (holdFrom), not through the window.
    this.maxMatchLength = Math.max(longestLiteral, 1, ...compiled.map((c) => c.rule.maxLength));
    this.hold = new StreamHold({
      runs,
      anchorFamily: anchors,
      futureAnchors,
      tails,
      knownLiterals: [...known.keys()],
      knownEscaped: escaped,
      maxMatchLength: this.maxMatchLength,
    });
  }

  /**
   * Where a stream must start holding text back: no match can start before this offset and still
   * grow with text not yet seen (stream-hold.ts), read through invisible characters and full-width forms.
   */
  holdFrom(text: string, from: number): number {
    const reading = this.readInvisible ? plainReading(text) : null;
    if (reading === null) return this.hold.from(text, from);
    return reading.toOriginal(this.hold.from(reading.text, reading.toReading(from)));
  }

  /**
   * Finds the masked spans of `text` from `from`. With a `horizon`, matches starting at or after
   * it are left undecided (a streaming masker has not seen enough text after them yet). Invisible
   * characters are set aside (invisible-characters.ts): a finding's span covers those inside it.
   */
  scan(
    text: string,
    from = 0,
    horizon = Number.POSITIVE_INFINITY,
    pending: CompiledRule | null = null,
  ): ScanResult {
    const reading = this.readInvisible ? plainReading(text) : null;
    if (reading === null) return this.scanVisible(text, from, horizon, pending);
    const result = this.scanVisible(
      reading.text,
      reading.toReading(from),
      reading.toReading(horizon),
      pending,
    );
    return {
      findings: result.findings.map((f) => ({
        ...f,
        start: reading.toOriginal(f.start),
        end: reading.toOriginalEnd(f.end),
      })),
      next: reading.toOriginal(result.next),
      pending: result.pending,
    };
  }

  private scanVisible(text: string, from: number, horizon: number, pending: CompiledRule | null): ScanResult {
    const findings: RawFinding[] = [];
    let pos = from;
    if (pending !== null) {
      const step = continuePiece(pending, text, pos, horizon, findings);
      if (step.pending !== null) return { findings, next: step.pos, pending: step.pending };
      pos = step.pos;
    }
    const current: (Candidate | null | undefined)[] = this.families.map(() => undefined);
    for (;;) {
      let best: Candidate | null = null;
      for (let f = 0; f < this.families.length; f++) {
        let cand = current[f];
        if (cand === undefined || (cand !== null && cand.start < pos)) {
          cand = this.nextCandidate(this.families[f]!, text, pos);
          current[f] = cand;
        }
        if (
          cand !== null &&
          (best === null ||
            cand.start < best.start ||
            (cand.start === best.start && cand.priority < best.priority))
        ) {
          best = cand;
        }
      }
      // A rule's or known secret's match inside a token run names the secret better than the run.
      if (best !== null && best.priority === RUN_PRIORITY) {
        for (const cand of current) {
          if (cand && cand.priority !== RUN_PRIORITY && cand.start < best.end && cand.start >= best.start) {
            if (best.priority === RUN_PRIORITY || cand.start < best.start) best = cand;
          }
        }
      }
      if (best === null || best.start >= horizon) break;
      findings.push(best.finding);
      pos = best.end;
      if (
        best.rule !== null &&
        best.rule.continuation !== null &&
        best.rule.rule.continuation!.continues(best.match)
      ) {
        const step = continuePiece(best.rule, text, pos, horizon, findings);
        pos = step.pos;
        if (step.pending !== null) return { findings, next: pos, pending: step.pending };
      }
    }
    return { findings, next: Math.max(pos, Math.min(text.length, horizon)), pending: null };
  }

  /** The family's first acceptable match starting at or after `pos`, or null. */
  private nextCandidate(family: Family, text: string, pos: number): Candidate | null {
    if (family.runs !== undefined) return this.runCandidate(family.runs, text, pos);
    if (family.escaped !== undefined) {
      const m = family.escaped.next(text, pos);
      if (m === null) return null;
      const entry = family.known!.get(m.literal)!;
      const finding = {
        ruleId: 'known-secret',
        start: m.start,
        end: m.end,
        secret: entry.secret,
        label: entry.label,
      };
      return {
        start: m.start,
        end: m.end,
        priority: -1,
        rule: null,
        match: text.slice(m.start, m.end),
        finding,
      };
    }
    if (family.literals !== undefined) {
      const at = family.literals.next(text, pos);
      if (at < 0) return null;
      const literal = family.literals.literal();
      const entry = family.known!.get(literal)!;
      const end = at + literal.length;
      return {
        start: at,
        end,
        priority: -1,
        rule: null,
        match: literal,
        finding: { ruleId: 'known-secret', start: at, end, secret: entry.secret, label: entry.label },
      };
    }
    if (family.anchors !== undefined) {
      for (let at = family.anchors.next(text, pos); at >= 0; at = family.anchors.next(text, at + 1)) {
        const cand = this.verifyAnchor(family.byAnchor!.get(family.anchors.root())!, text, at, pos);
        if (cand !== null) return cand;
      }
      return null;
    }
    if (family.union !== undefined && family.own !== null) {
      // The rule's own matches, in order, are at the offsets where some unanchored rule matches.
      const c = family.own;
      for (let at = family.union.next(text, pos); at >= 0; at = family.union.next(text, at + 1)) {
        this.stats.verifications++;
        c.sticky.lastIndex = at;
        const m = c.sticky.exec(text);
        if (m === null) continue;
        const cand = this.accept(c, m, 0);
        if (cand !== null) return cand;
      }
    }
    return null;
  }

  /** Tries the anchor's rules at each start from `back` characters before it, leftmost first. */
  private verifyAnchor(
    rules: readonly AnchoredRule[],
    text: string,
    at: number,
    pos: number,
  ): Candidate | null {
    let maxBack = 0;
    let any = false;
    const present = rules.map((r) => {
      const ok = r.exact === null || r.exact.some((l) => text.startsWith(l, at));
      if (ok) {
        any = true;
        if (r.back > maxBack) maxBack = r.back;
      }
      return ok;
    });
    if (!any) return null;
    // Each rule's leftmost match starting between `back` characters before the literal and the
    // literal; the leftmost of those wins, ties to the earlier rule. A rule reaching back is
    // searched once in a bounded window rather than tried at every start.
    let best: Candidate | null = null;
    for (let i = 0; i < rules.length; i++) {
      if (!present[i]) continue;
      const { c, back } = rules[i]!;
      const first = Math.max(pos, at - back);
      if (best !== null && best.start <= first) continue;
      let cand: Candidate | null = null;
      if (back <= SHORT_BACK) {
        for (let start = first; start <= at && cand === null; start++) cand = this.tryAt(c, text, start);
      } else cand = this.searchWindow(c, text, first, at);
      if (cand !== null && (best === null || cand.start < best.start)) best = cand;
    }
    return best;
  }

  private tryAt(c: CompiledRule, text: string, start: number): Candidate | null {
    this.stats.verifications++;
    c.sticky.lastIndex = start;
    const m = c.sticky.exec(text);
    if (m === null || m[0].length === 0) return null;
    return this.accept(c, m, 0);
  }

  /** The rule's leftmost acceptable match starting in [first, last], searched in a bounded slice. */
  private searchWindow(c: CompiledRule, text: string, first: number, last: number): Candidate | null {
    const lo = Math.max(0, first - WINDOW_CONTEXT);
    const hi = Math.min(text.length, last + c.rule.maxLength + LOOKAHEAD_MARGIN);
    const window = lo === 0 && hi === text.length ? text : text.slice(lo, hi);
    const re = c.search;
    re.lastIndex = first - lo;
    for (;;) {
      this.stats.verifications++;
      const m = re.exec(window);
      if (m === null || m.index > last - lo) return null;
      if (m[0].length > 0) {
        const cand = this.accept(c, m, lo);
        if (cand !== null) return cand;
      }
      re.lastIndex = m.index + 1;
    }
  }

  private runCandidate(runs: TokenRunFinder, text: string, pos: number): Candidate | null {
    for (let at = pos; ; ) {
      const found = runs.next(text, at);
      if (found === null) return null;
      if (!this.allow.has(found.secret)) {
        return {
          start: found.start,
          end: found.end,
          priority: RUN_PRIORITY,
          rule: null,
          match: found.secret,
          finding: {
            ruleId: found.verdict.ruleId,
            start: found.start,
            end: found.end,
            secret: found.secret,
            detail: found.verdict.detail,
          },
        };
      }
      at = found.end;
    }
  }

  private accept(c: CompiledRule, m: RegExpExecArray, offset = 0): Candidate | null {
    const start = m.index + offset;
    const end = start + m[0].length;
    if (end === start) return null;
    let secretStart = start;
    let secretEnd = end;
    let secret = m[0];
    if (c.secretGroups.length > 0) {
      const groups = m.groups!;
      const indices = m.indices!.groups!;
      for (const name of c.secretGroups) {
        const value = groups[name];
        if (value !== undefined) {
          [secretStart, secretEnd] = indices[name]!;
          secretStart += offset;
          secretEnd += offset;
          secret = value;
          break;
        }
      }
    }
    if (secret.length === 0 || this.allow.has(secret)) return null;
    if (c.validate !== null && !c.validate(secret, m[0])) return null;
    const ruleId = c.rule.refine ? this.refinedId(c.rule.id, secret) : c.rule.id;
    return {
      start,
      end,
      priority: c.priority,
      rule: c,
      match: m[0],
      finding: {
        ruleId,
        start: secretStart,
        end: secretEnd,
        secret,
        replacement: c.rule.replacement,
        ...(c.rule.validator === 'entropy'
          ? { detail: `entropy ${shannonEntropy(secret).toFixed(2)} bits/char` }
          : {}),
      },
    };
  }

  /** A keyword rule's secret that is itself a prefixed token (an AKIA id after api_key=) is named as such. */
  private refinedId(ruleId: string, secret: string): string {
    for (const { rule, exact } of this.prefixed) {
      if (exact.test(secret)) return rule.rule.id;
    }
    return ruleId;
  }
}
