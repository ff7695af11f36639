// The configured policy rules (the `policy` section of vigil.yaml), compiled once and evaluated in
// order for every action: matching alert rules are collected and evaluation goes on; the first
// matching allow, deny or review rule decides; when none does, `policy.default` decides.

import type { ActionDescriber, ActionFacts } from '../core/actions.js';
import type { PolicyConfig, PolicyRuleConfig } from '../core/config.js';
import { VigilError } from '../core/errors.js';
import type { EventDraft } from '../core/events.js';
import { matchesPrincipal } from '../pipeline/authorize.js';
import type { PolicyAlert, PolicyDecision, PolicyVerdict, RuleSet } from '../pipeline/policy.js';
import { globMatcher } from './glob.js';
import { tableMatcher } from './table-patterns.js';

export { globMatcher } from './glob.js';

/** The match fields, in the order they are checked (cheap ones first). */
export const MATCH_FIELDS = [
  'events',
  'connections',
  'principals',
  'statement_kinds',
  'tables',
  'models',
  'tools',
  'pattern',
] as const;
export type MatchField = (typeof MATCH_FIELDS)[number];

/** How one rule fared against an action: `failed` names the first field that did not match. */
export interface RuleMatch {
  readonly rule: string;
  readonly action: PolicyRuleConfig['action'];
  readonly matched: boolean;
  readonly failed: MatchField | null;
}

type Check = (draft: EventDraft, facts: () => ActionFacts) => boolean;

interface CompiledRule {
  readonly config: PolicyRuleConfig;
  readonly checks: readonly (readonly [MatchField, Check])[];
}

const INLINE_CASE_INSENSITIVE = '(?i)';

/**
 * Compiles a rule pattern. JavaScript has no inline flags, so a leading `(?i)` (the common spelling
 * elsewhere) is taken off and turned into the `i` flag. Throws what `new RegExp` throws.
 */
export function compileRulePattern(pattern: string): RegExp {
  return pattern.startsWith(INLINE_CASE_INSENSITIVE)
    ? new RegExp(pattern.slice(INLINE_CASE_INSENSITIVE.length), 'i')
    : new RegExp(pattern);
}

function anyGlob(globs: readonly string[], caseInsensitive: boolean): (value: string) => boolean {
  const matchers = globs.map((g) => globMatcher(g, caseInsensitive));
  return (value) => matchers.some((m) => m(value));
}

function compileRule(rule: PolicyRuleConfig): CompiledRule {
  const m = rule.match;
  const checks: [MatchField, Check][] = [];
  // Only a rule that restricts may match another reading: an allow must match the action itself.
  const restricts = rule.action !== 'allow';
  // An action with several statements, tables or tools meets a restricting rule when any of them
  // matches, an allow rule only when every one does: an allow on SELECT is no allow for the DROP
  // after it (`SELECT 1; DROP TABLE t`, `WITH d AS (DELETE ...) SELECT`), nor one on billing.* for
  // the other table a join reads.
  const meets = restricts
    ? <T>(values: readonly T[], test: (value: T) => boolean) => values.some(test)
    : <T>(values: readonly T[], test: (value: T) => boolean) => values.length > 0 && values.every(test);
  if (m.events) {
    const events = new Set<string>(m.events);
    checks.push(['events', (draft) => events.has(draft.type)]);
  }
  if (m.connections) {
    const connection = anyGlob(m.connections, false);
    checks.push(['connections', (draft) => connection(draft.connection)]);
  }
  if (m.principals) {
    const principals = m.principals;
    checks.push(['principals', (draft) => principals.some((p) => matchesPrincipal(p, draft.identity))]);
  }
  if (m.statement_kinds) {
    const kinds = new Set(m.statement_kinds.map((k) => k.toUpperCase()));
    checks.push(['statement_kinds', (_, facts) => meets(facts().statementKinds, (k) => kinds.has(k))]);
  }
  if (m.tables) {
    const table = tableMatcher(m.tables, restricts);
    checks.push(['tables', (_, facts) => meets(facts().tables, table)]);
  }
  if (m.models) {
    const model = anyGlob(m.models, true);
    checks.push([
      'models',
      (_, facts) => {
        const f = facts();
        return f.model !== null ? model(f.model) : restricts && f.modelLeftToUpstream;
      },
    ]);
  }
  if (m.tools) {
    const tool = anyGlob(m.tools, true);
    checks.push([
      'tools',
      (_, facts) => {
        const f = facts();
        return meets(f.tools, tool) || (restricts && f.alternateTools.some(tool));
      },
    ]);
  }
  if (m.pattern !== undefined) {
    let regex: RegExp;
    try {
      regex = compileRulePattern(m.pattern);
    } catch (err) {
      throw new VigilError(
        'config_invalid',
        `policy rule ${rule.name}: match.pattern is not a valid regular expression: ${(err as Error).message}`,
        { cause: err, details: { rule: rule.name } },
      );
    }
    // The same pattern ignoring case, for targets that read the text so (ActionFacts.targetIgnoresCase).
    const anyCase = regex.flags.includes('i') ? regex : new RegExp(regex.source, `${regex.flags}i`);
    checks.push([
      'pattern',
      (_, facts) => {
        const f = facts();
        if (regex.test(f.text)) return true;
        if (!restricts) return false;
        if (f.unreadableText) return true;
        if (!f.targetIgnoresCase) return f.alternateTexts.some((t) => regex.test(t));
        return anyCase.test(f.text) || f.alternateTexts.some((t) => anyCase.test(t));
      },
    ]);
  }
  if (rule.action === 'review' && !rule.review) {
    throw new VigilError('config_invalid', `policy rule ${rule.name}: a review rule needs review.approvers`, {
      details: { rule: rule.name },
    });
  }
  return { config: rule, checks };
}

function reasonOf(rule: PolicyRuleConfig): string {
  return rule.reason ?? `rule ${rule.name} matched`;
}

function decisionOf(rule: PolicyRuleConfig): PolicyDecision {
  const reason = reasonOf(rule);
  switch (rule.action) {
    case 'deny':
      return { action: 'deny', rule: rule.name, reason };
    case 'review': {
      // compileRule refused a review rule without review settings.
      const review = rule.review!;
      return {
        action: 'review',
        rule: rule.name,
        reason,
        review: { approvers: review.approvers, required: review.required, timeoutMs: review.timeout },
      };
    }
    default:
      return { action: 'allow', rule: rule.name };
  }
}

export class PolicyRules implements RuleSet {
  readonly #rules: readonly CompiledRule[];
  readonly #default: PolicyDecision;
  readonly #describe: ActionDescriber;

  /**
   * `describe` reads an action for the rules (each protocol module's own reading, composed by the
   * registry). Throws `config_invalid` naming the rule when a pattern does not compile.
   */
  constructor(policy: PolicyConfig, describe: ActionDescriber) {
    this.#describe = describe;
    this.#rules = policy.rules.map(compileRule);
    this.#default =
      policy.default === 'deny'
        ? { action: 'deny', rule: 'default', reason: 'no policy rule allows this action' }
        : { action: 'allow' };
  }

  evaluate(draft: EventDraft): PolicyVerdict {
    const facts = lazyFacts(draft, this.#describe);
    const alerts: PolicyAlert[] = [];
    for (const rule of this.#rules) {
      if (firstFailure(rule, draft, facts) !== null) continue;
      const { config } = rule;
      if (config.action === 'alert') {
        alerts.push({ rule: config.name, reason: reasonOf(config) });
        continue;
      }
      return { decision: decisionOf(config), decidedBy: config.name, alerts };
    }
    return { decision: this.#default, decidedBy: 'default', alerts };
  }

  /** Every rule's match against the action, regardless of order (for `vigil policy test --explain`). */
  explain(draft: EventDraft): RuleMatch[] {
    const facts = lazyFacts(draft, this.#describe);
    return this.#rules.map((rule) => {
      const failed = firstFailure(rule, draft, facts);
      return { rule: rule.config.name, action: rule.config.action, matched: failed === null, failed };
    });
  }
}

function firstFailure(rule: CompiledRule, draft: EventDraft, facts: () => ActionFacts): MatchField | null {
  for (const [field, check] of rule.checks) if (!check(draft, facts)) return field;
  return null;
}

/** Facts are read from the payload only when a rule first needs them, and then once. */
function lazyFacts(draft: EventDraft, describe: ActionDescriber): () => ActionFacts {
  let facts: ActionFacts | undefined;
  return () => {
    facts ??= describe(draft.type, draft.payload);
    return facts;
  };
}
