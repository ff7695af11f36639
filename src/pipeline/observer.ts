// What the pipeline tells an observer (metrics) about the actions it judges and the events it
// could not record. Defined here, inward, so the pipeline never imports a metrics library; the
// gateway wires an implementation (src/metrics) or none, and with none the pipeline does no timing.
import { isVigilError } from '../core/errors.js';
import type { EventType, RecordedEvent } from '../core/events.js';
import type { EventContext } from './pipeline.js';

/**
 * How one submitted action ended, as far as the pipeline knows:
 * - `allowed`: recorded and released to the adapter to forward (directly, after approval, or by break-glass);
 * - `denied`: refused by policy, by the adapter (refuseAction), or by its reviewers (denied, timed
 *   out, withdrawn, approval mismatch);
 * - `held`: sent for review; the same action is reported again with its final outcome;
 * - `failed`: its event could not be recorded (fail-closed refuses it; fail-open forwards it unrecorded),
 *   or the pipeline failed in another way before it could be released.
 */
export const ACTION_OUTCOMES = ['allowed', 'denied', 'held', 'failed'] as const;
export type ActionOutcome = (typeof ACTION_OUTCOMES)[number];

export interface PipelineObserver {
  /**
   * An action reached an outcome. `seconds` is the pipeline's own time on it so far (judging,
   * masking, durably recording), never the time it waited for reviewers.
   */
  actionDecided(ctx: EventContext, type: EventType, outcome: ActionOutcome, seconds: number): void;
  /** An event (action or not) could not be recorded, in either failure mode. */
  recordFailed(connection: string, type: EventType): void;
}

const DENIALS = new Set([
  'policy_denied',
  'approval_denied',
  'approval_timeout',
  'approval_withdrawn',
  'approval_mismatch',
]);

/** The outcome of an action whose submit threw `err`. */
export function outcomeOfError(err: unknown): ActionOutcome {
  return isVigilError(err) && DENIALS.has(err.code) ? 'denied' : 'failed';
}

/**
 * The pipeline's own time on one action. A hold reports `held` and stops the clock; the wait for
 * reviewers is theirs, so timing resumes only on release.
 */
export interface ActionClock {
  held(): void;
  released(): void;
}

/** Runs one submit, timing it and reporting its outcome to `observer` (and `held` on the way). */
export async function observeAction(
  observer: PipelineObserver,
  ctx: EventContext,
  type: EventType,
  run: (clock: ActionClock) => Promise<RecordedEvent | null>,
): Promise<RecordedEvent | null> {
  let since = performance.now();
  let spent = 0;
  let paused = false;
  const seconds = () => (spent + (paused ? 0 : performance.now() - since)) / 1000;
  const clock: ActionClock = {
    held() {
      spent += performance.now() - since;
      paused = true;
      observer.actionDecided(ctx, type, 'held', spent / 1000);
    },
    released() {
      since = performance.now();
      paused = false;
    },
  };
  try {
    const recorded = await run(clock);
    // Null: fail-open forwards an action whose event could not be recorded.
    observer.actionDecided(ctx, type, recorded ? 'allowed' : 'failed', seconds());
    return recorded;
  } catch (err) {
    observer.actionDecided(ctx, type, outcomeOfError(err), seconds());
    throw err;
  }
}
