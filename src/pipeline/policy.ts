// The policy stage: guardrails decide whether an action may go on. Each guard sees the event
// draft (already classified by its adapter, e.g. a db.query with its statement kinds) and may deny.
import type { EventDraft } from '../core/events.js';

export type PolicyDecision =
  | { readonly action: 'allow' }
  | { readonly action: 'deny'; readonly rule: string; readonly reason: string };

export interface Guard {
  evaluate(draft: EventDraft): PolicyDecision;
}

export const ALLOW: PolicyDecision = Object.freeze({ action: 'allow' });

export class Policy {
  readonly #guards: Guard[];

  constructor(guards: readonly Guard[] = []) {
    this.#guards = [...guards];
  }

  /** The first guard that denies decides; otherwise the action is allowed. */
  evaluate(draft: EventDraft): PolicyDecision {
    for (const guard of this.#guards) {
      const decision = guard.evaluate(draft);
      if (decision.action === 'deny') return decision;
    }
    return ALLOW;
  }
}
