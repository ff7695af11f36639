// The policy stage: guardrails and rules decide whether an action may go on. Guards are the fixed
// per-connection guardrails (e.g. SQL kinds on a database connection) and only deny; the rule set
// comes from the configuration's policy section, can be swapped while running (a reload), and may
// allow, deny, hold the action for review, or raise alerts.
import type { EventDraft } from '../core/events.js';

/** Who must approve a held action, how many, and how long it may wait. */
export interface ReviewRequirement {
  readonly approvers: readonly string[];
  readonly required: number;
  readonly timeoutMs: number;
}

export type PolicyDecision =
  | { readonly action: 'allow'; readonly rule?: string }
  | { readonly action: 'deny'; readonly rule: string; readonly reason: string }
  | {
      readonly action: 'review';
      readonly rule: string;
      readonly reason: string;
      readonly review: ReviewRequirement;
    };

export interface PolicyAlert {
  readonly rule: string;
  readonly reason: string;
}

/** A decision, the rule that made it ('default' when none did), and the alerts raised on the way. */
export interface PolicyVerdict {
  readonly decision: PolicyDecision;
  readonly decidedBy: string;
  readonly alerts: readonly PolicyAlert[];
}

export interface Guard {
  evaluate(draft: EventDraft): PolicyDecision;
}

/** The configured rules, evaluated in order (see policy/policy-rules.ts). */
export interface RuleSet {
  evaluate(draft: EventDraft): PolicyVerdict;
}

export const ALLOW: PolicyDecision = Object.freeze({ action: 'allow' });

const ALLOW_ALL: RuleSet = {
  evaluate: () => ({ decision: ALLOW, decidedBy: 'default', alerts: [] }),
};

export class Policy {
  readonly #guards: Guard[];
  #rules: RuleSet;

  constructor(guards: readonly Guard[] = [], rules: RuleSet = ALLOW_ALL) {
    this.#guards = [...guards];
    this.#rules = rules;
  }

  /** Swaps the rule set (a configuration reload); actions already held keep their decision. */
  replaceRules(rules: RuleSet): void {
    this.#rules = rules;
  }

  /** A guardrail that denies decides first; otherwise the rules decide. */
  evaluate(draft: EventDraft): PolicyVerdict {
    for (const guard of this.#guards) {
      const decision = guard.evaluate(draft);
      if (decision.action === 'deny') return { decision, decidedBy: decision.rule, alerts: [] };
    }
    return this.#rules.evaluate(draft);
  }
}
