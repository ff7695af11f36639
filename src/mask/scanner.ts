// The compiled form of a rule set. One combined alternation of every rule is slow in V8 (each
// offset tries every branch), so rules are grouped into a few families, each searched with one
// fast regex: case-sensitive token prefixes, case-insensitive keywords, '@', and one pass for each
// rule without an anchor (card numbers, IBANs, ...). A family's hit is verified with the rule's
// full sticky pattern. The families' candidates are merged leftmost first (ties: catalogue order),
// and a family whose candidate is overtaken by an accepted match searches again after it.
import { literalTrie } from './regex-text.js';
import type { DetectorRule, RuleAnchor } from './types.js';
import { VALIDATORS } from './validators.js';

/** Lookaheads in the catalogue read at most this far past a match. */
export const LOOKAHEAD_MARGIN = 16;

export interface RawFinding {
  readonly ruleId: string;
  /** The replaced span (the secret group, or the whole match). */
  readonly start: number;
  readonly end: number;
  /** The value fingerprinted: the secret, or the known secret's raw value for an encoded form. */
  readonly secret: string;
  readonly label?: string;
  readonly replacement?: string;
}

export interface CompiledRule {
  readonly rule: DetectorRule;
  readonly priority: number;
  readonly secretGroups: readonly string[];
  readonly sticky: RegExp;
  readonly continuation: RegExp | null;
  readonly validate: ((secret: string, match: string) => boolean) | null;
}

/** Where a scan stopped and whether a long secret (a PEM body) continues past that point. */
export interface ScanResult {
  readonly findings: RawFinding[];
  /** Text before this offset is decided. */
  readonly next: number;
  /** A rule whose match ran to its length cap: its continuation is tried at `next`. */
  readonly pending: CompiledRule | null;
}

export interface KnownEntry {
  readonly secret: string;
  readonly label: string;
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

interface AnchoredRule {
  readonly c: CompiledRule;
  readonly back: number;
}

interface Family {
  readonly finder: RegExp;
  /** Anchor literal (lower-cased for case-insensitive families) → rules; null: the finder is the rule. */
  readonly byAnchor: ReadonlyMap<string, readonly AnchoredRule[]> | null;
  readonly caseInsensitive: boolean;
  readonly own: CompiledRule | null;
  readonly known: ReadonlyMap<string, KnownEntry> | null;
}

export class Scanner {
  readonly maxMatchLength: number;
  private readonly families: readonly Family[];
  private readonly prefixed: readonly { rule: CompiledRule; exact: RegExp }[];
  private readonly allow: ReadonlySet<string>;

  constructor(
    rules: readonly DetectorRule[],
    known: ReadonlyMap<string, KnownEntry>,
    allow: ReadonlySet<string>,
  ) {
    this.allow = allow;
    const compiled = rules.map(compileRule);
    const families: Family[] = [];
    if (known.size > 0) {
      const literals = [...known.keys()].sort((a, b) => b.length - a.length);
      families.push({
        finder: new RegExp(literalTrie(literals), 'g'),
        byAnchor: null,
        caseInsensitive: false,
        own: null,
        known,
      });
    }
    // Single-character anchors ('@') get a family of their own: mixed with longer literals they
    // stop V8 from skipping ahead, and alone they are found at memchr speed.
    for (const [caseInsensitive, single] of [
      [false, true],
      [false, false],
      [true, false],
    ] as const) {
      const members = compiled.flatMap((c) =>
        (c.rule.anchors ?? [])
          .filter((a) => (a.caseInsensitive ?? false) === caseInsensitive)
          .map((a) => ({
            c,
            anchor: { ...a, literals: a.literals.filter((l) => (l.length === 1) === single) },
          }))
          .filter((m) => m.anchor.literals.length > 0),
      );
      if (members.length > 0) families.push(anchorFamily(members, caseInsensitive));
    }
    for (const c of compiled) {
      if (!c.rule.anchors) {
        families.push({
          finder: new RegExp(c.sticky.source, 'gd'),
          byAnchor: null,
          caseInsensitive: false,
          own: c,
          known: null,
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
    this.maxMatchLength = Math.max(longestLiteral, 1, ...rules.map((r) => r.maxLength));
  }

  /**
   * Finds the masked spans of `text` from `from`. With a `horizon`, matches starting at or after
   * it are left undecided (a streaming masker has not seen enough text after them yet).
   */
  scan(
    text: string,
    from = 0,
    horizon = Number.POSITIVE_INFINITY,
    pending: CompiledRule | null = null,
  ): ScanResult {
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
    const finder = family.finder;
    finder.lastIndex = pos;
    for (;;) {
      const hit = finder.exec(text);
      if (hit === null) return null;
      const at = hit.index;
      if (family.known !== null) {
        const entry = family.known.get(hit[0])!;
        const end = at + hit[0].length;
        return {
          start: at,
          end,
          priority: -1,
          rule: null,
          match: hit[0],
          finding: { ruleId: 'known-secret', start: at, end, secret: entry.secret, label: entry.label },
        };
      }
      if (family.own !== null) {
        const cand = this.accept(family.own, hit);
        if (cand !== null) return cand;
        finder.lastIndex = at + 1;
        continue;
      }
      const rules = family.byAnchor!.get(family.caseInsensitive ? hit[0].toLowerCase() : hit[0])!;
      const cand = this.verifyAnchor(rules, text, at, pos);
      if (cand !== null) return cand;
      finder.lastIndex = at + 1;
    }
  }

  /** Tries the anchor's rules at each start from `back` characters before it, leftmost first. */
  private verifyAnchor(
    rules: readonly AnchoredRule[],
    text: string,
    at: number,
    pos: number,
  ): Candidate | null {
    let maxBack = 0;
    for (const r of rules) if (r.back > maxBack) maxBack = r.back;
    for (let start = Math.max(pos, at - maxBack); start <= at; start++) {
      for (const { c, back } of rules) {
        if (at - start > back) continue;
        c.sticky.lastIndex = start;
        const m = c.sticky.exec(text);
        if (m === null || m[0].length === 0) continue;
        const cand = this.accept(c, m);
        if (cand !== null) return cand;
      }
    }
    return null;
  }

  private accept(c: CompiledRule, m: RegExpExecArray): Candidate | null {
    const start = m.index;
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
      finding: { ruleId, start: secretStart, end: secretEnd, secret, replacement: c.rule.replacement },
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

function continuePiece(c: CompiledRule, text: string, from: number, horizon: number, findings: RawFinding[]) {
  let pos = from;
  const re = c.continuation!;
  for (;;) {
    // Past the horizon the piece may go on in text a stream has not delivered yet.
    if (pos >= horizon) return { pos, pending: c };
    re.lastIndex = pos;
    const m = re.exec(text);
    if (m === null || m[0].length === 0) return { pos, pending: null };
    findings.push({ ruleId: c.rule.id, start: pos, end: pos + m[0].length, secret: m[0] });
    pos += m[0].length;
    if (!c.rule.continuation!.continues(m[0])) return { pos, pending: null };
  }
}

function anchorFamily(
  members: readonly { c: CompiledRule; anchor: RuleAnchor }[],
  caseInsensitive: boolean,
): Family {
  const norm = (s: string) => (caseInsensitive ? s.toLowerCase() : s);
  // An anchor that starts with a shorter anchor is folded into it, so at most one anchor matches
  // at an offset and the finder needs no overlapping alternatives.
  const all = [...new Set(members.flatMap((m) => m.anchor.literals.map(norm)))].sort(
    (a, b) => a.length - b.length,
  );
  const roots: string[] = [];
  for (const a of all) if (!roots.some((r) => a.startsWith(r))) roots.push(a);
  const byAnchor = new Map<string, AnchoredRule[]>();
  for (const { c, anchor } of members) {
    for (const literal of anchor.literals.map(norm)) {
      const root = roots.find((r) => literal.startsWith(r))!;
      const list = byAnchor.get(root) ?? [];
      const back = anchor.back ?? 0;
      const existing = list.find((r) => r.c === c);
      if (!existing) list.push({ c, back });
      else if (existing.back < back) list[list.indexOf(existing)] = { c, back };
      byAnchor.set(root, list);
    }
  }
  for (const list of byAnchor.values()) list.sort((a, b) => a.c.priority - b.c.priority);
  return {
    finder: new RegExp(literalTrie(roots, caseInsensitive), caseInsensitive ? 'gi' : 'g'),
    byAnchor,
    caseInsensitive,
    own: null,
    known: null,
  };
}

function prefixGroups(rule: DetectorRule, group: string): string {
  return rule.pattern.replace(/\(\?<([A-Za-z_][A-Za-z0-9_]*)>/g, `(?<${group}_$1>`);
}

function compileRule(rule: DetectorRule, priority: number): CompiledRule {
  const group = `r${priority}`;
  const names = [...rule.pattern.matchAll(/\(\?<(s(?:_\d+)?)>/g)].map((m) => m[1]!);
  return {
    rule,
    priority,
    secretGroups: names.map((n) => `${group}_${n}`),
    sticky: new RegExp(prefixGroups(rule, group), 'yd'),
    continuation: rule.continuation ? new RegExp(rule.continuation.pattern, 'y') : null,
    validate: rule.validator ? VALIDATORS[rule.validator] : null,
  };
}
