// Rules compiled once per rule set: each rule's sticky and search expressions with its secret
// groups renamed apart, and the families the scanner (scanner.ts) draws candidates from, among them
// every rule's literal anchors, searched together by anchor-search.ts.
import { AnchorSearch } from './anchor-search.js';
import type { KnownEscapedSearch } from './known-escaped-search.js';
import type { LiteralSearch } from './literal-search.js';
import type { TokenRunFinder } from './token-runs.js';
import type { DetectorRule, RuleAnchor } from './types.js';
import type { UnanchoredSearch } from './unanchored-search.js';
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
  readonly detail?: string;
}

export interface CompiledRule {
  readonly rule: DetectorRule;
  readonly priority: number;
  readonly secretGroups: readonly string[];
  readonly sticky: RegExp;
  /** The same pattern for a search (rules whose match may start before their literal). */
  readonly search: RegExp;
  readonly continuation: RegExp | null;
  readonly validate: ((secret: string, match: string) => boolean) | null;
}

/** Where a scan stopped and whether a long secret (a PEM body) continues past that point. */
export interface KnownEntry {
  readonly secret: string;
  readonly label: string;
}

export interface AnchoredRule {
  readonly c: CompiledRule;
  readonly back: number;
  /** Case-sensitive literals of this rule under the anchor (checked at the hit); null: any case. */
  readonly exact: readonly string[] | null;
}

/** Bounds the hold for an anchor not yet seen: the longest literal, the back-run before it. */
export interface FutureAnchor {
  readonly literals: readonly string[];
  readonly caseInsensitive: boolean;
  readonly back: number;
  readonly backChars: RegExp | null;
}

export interface Family {
  /** The token-run pass (key material, bare tokens) instead of a regex. */
  readonly runs?: TokenRunFinder;
  /** Offsets where the rules without anchors match (unanchored-search.ts), shared by their families. */
  readonly union?: UnanchoredSearch;
  /** The known secrets' literals (literal-search.ts) instead of a regex. */
  readonly literals?: LiteralSearch;
  /** The same spelled with JSON `\u` escapes (known-escaped-search.ts). */
  readonly escaped?: KnownEscapedSearch;
  /** The anchor literals of every rule (anchor-search.ts) instead of a regex. */
  readonly anchors?: AnchorSearch;
  readonly finder: RegExp;
  /** Anchor literal (lower-cased for case-insensitive families) → rules; null: the finder is the rule. */
  readonly byAnchor: ReadonlyMap<string, readonly AnchoredRule[]> | null;
  readonly caseInsensitive: boolean;
  readonly own: CompiledRule | null;
  readonly known: ReadonlyMap<string, KnownEntry> | null;
}

export function continuePiece(
  c: CompiledRule,
  text: string,
  from: number,
  horizon: number,
  findings: RawFinding[],
) {
  let pos = from;
  const re = c.continuation!;
  for (;;) {
    // Past the horizon, or with its longest piece not wholly delivered yet, the piece may go on in
    // text a stream has not delivered yet.
    if (pos >= horizon) return { pos, pending: c };
    if (horizon !== Number.POSITIVE_INFINITY && pos + c.rule.maxLength + LOOKAHEAD_MARGIN > text.length)
      return { pos, pending: c };
    re.lastIndex = pos;
    const m = re.exec(text);
    if (m === null || m[0].length === 0) return { pos, pending: null };
    findings.push({ ruleId: c.rule.id, start: pos, end: pos + m[0].length, secret: m[0] });
    pos += m[0].length;
    if (!c.rule.continuation!.continues(m[0])) return { pos, pending: null };
  }
}

export function anchorFamily(members: readonly { c: CompiledRule; anchor: RuleAnchor }[]): Family {
  // Case-insensitive for all: a case-sensitive literal (AKIA) is checked at the hit. An anchor that
  // starts with a shorter anchor is folded into it, so at most one anchor matches at an offset.
  const norm = (s: string) => s.toLowerCase();
  const all = [...new Set(members.flatMap((m) => m.anchor.literals.map(norm)))].sort(
    (a, b) => a.length - b.length,
  );
  const roots: string[] = [];
  for (const a of all) if (!roots.some((r) => a.startsWith(r))) roots.push(a);
  const byAnchor = new Map<string, AnchoredRule[]>();
  for (const { c, anchor } of members) {
    for (const literal of anchor.literals) {
      const root = roots.find((r) => norm(literal).startsWith(r))!;
      const list = byAnchor.get(root) ?? [];
      const back = anchor.back ?? 0;
      const i = list.findIndex((r) => r.c === c);
      const existing = i >= 0 ? list[i]! : null;
      const exact =
        anchor.caseInsensitive === true || existing?.exact === null
          ? null
          : [...(existing?.exact ?? []), literal];
      list[i >= 0 ? i : list.length] = { c, back: Math.max(back, existing?.back ?? 0), exact };
      byAnchor.set(root, list);
    }
  }
  for (const list of byAnchor.values()) list.sort((a, b) => a.c.priority - b.c.priority);
  // A root whose rules all want their own case is searched in that case (cut to the root's length).
  const search = new AnchorSearch(
    [...byAnchor].map(([root, list]) => ({
      root,
      exact: list.every((r) => r.exact !== null)
        ? [...new Set(list.flatMap((r) => r.exact!.map((l) => l.slice(0, root.length))))]
        : null,
    })),
  );
  return {
    anchors: search,
    finder: /$^/g,
    byAnchor,
    caseInsensitive: true,
    own: null,
    known: null,
  };
}

/** The length of the longest proper prefix of `literal` that `text` ends with (not before `from`). */
export function partialSuffix(text: string, literal: string, caseInsensitive: boolean, from: number): number {
  const n = text.length;
  for (let len = Math.min(literal.length - 1, n - from); len > 0; len--) {
    const tail = text.slice(n - len);
    const head = literal.slice(0, len);
    if (caseInsensitive ? tail.toLowerCase() === head.toLowerCase() : tail === head) return len;
  }
  return 0;
}

function prefixGroups(rule: DetectorRule, group: string): string {
  return rule.pattern.replace(/\(\?<([A-Za-z_][A-Za-z0-9_]*)>/g, `(?<${group}_$1>`);
}

export function compileRule(rule: DetectorRule, priority: number): CompiledRule {
  const group = `r${priority}`;
  const names = [...rule.pattern.matchAll(/\(\?<(s(?:_\d+)?)>/g)].map((m) => m[1]!);
  return {
    rule,
    priority,
    secretGroups: names.map((n) => `${group}_${n}`),
    sticky: new RegExp(prefixGroups(rule, group), 'yd'),
    search: new RegExp(prefixGroups(rule, group), 'gd'),
    continuation: rule.continuation ? new RegExp(rule.continuation.pattern, 'y') : null,
    validate: rule.validator ? VALIDATORS[rule.validator] : null,
  };
}
