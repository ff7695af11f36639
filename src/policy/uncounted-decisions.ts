// A reviewer's decision is recorded before the store counts it (write-ahead). On one gateway the
// decisions on a request queue up, so a recorded decision always counts; with several replicas two
// reviewers can decide at once on two of them, and the store counts only the first: the other was
// recorded with the outcome it would have had (a denial, on a request the other reviewer approved
// and that then ran). The ledger must not leave that standing, so the decision that did not count
// is recorded again, as not counted and with the outcome the request really has: recorded and not
// done, the safe direction, and said so.
import { VigilError } from '../core/errors.js';
import type { EventType, Identity, JsonObject } from '../core/events.js';
import type { ApprovalRecord, ApprovalStore, VoteResult } from '../core/ports.js';
import type { EventContext } from '../pipeline/pipeline.js';
import { approvalContext } from './grant-issuer.js';

export interface UncountedDeps {
  readonly store: Pick<ApprovalStore, 'getApproval'>;
  readonly record: (ctx: EventContext, type: EventType, payload: JsonObject) => Promise<unknown>;
  readonly logger: { error(obj: object, msg: string): void };
}

/** What a decision the store did not count was, as recorded. */
export interface TriedDecision {
  readonly record: ApprovalRecord;
  readonly reviewer: Identity;
  readonly decision: 'approve' | 'deny';
}

/**
 * Records that `tried` did not count (the store answered `result`) and returns the refusal for the
 * reviewer. The refusal stands even when this record fails: the decision did not count either way.
 */
export async function refuseUncounted(
  deps: UncountedDeps,
  tried: TriedDecision,
  result: Exclude<VoteResult, { outcome: 'recorded' }>,
): Promise<VigilError> {
  const { record, reviewer, decision } = tried;
  const why =
    result.outcome === 'duplicate'
      ? `${reviewer.subject} has already decided ${record.id}`
      : result.outcome === 'reviewer-disabled'
        ? `${reviewer.subject} was disabled before the decision counted`
        : result.outcome === 'lapsed'
          ? `${record.id} was withdrawn: ${result.reason}`
          : result.outcome === 'not-an-approver'
            ? `${reviewer.subject} is no longer among the approvers of ${record.id} in the directory`
            : `${record.id} was no longer open when the decision reached the store (decided elsewhere first, or past its deadline)`;
  try {
    const now = await deps.store.getApproval(record.id);
    if (now) {
      await deps.record(approvalContext(now, reviewer), 'approval.decided', {
        approval_id: now.id,
        kind: now.kind,
        decision,
        // Shown wherever a decision's reason is (replay, console); the reviewer's own is in the first record.
        reason: `not counted: ${why}`,
        outcome: now.status,
        counted: false,
        approvals: now.votes.filter((v) => v.decision === 'approve').length,
        required: now.required,
      });
    }
  } catch (err) {
    deps.logger.error(
      { err: (err as Error).message, approval_id: record.id },
      'could not record that a decision did not count',
    );
  }
  if (result.outcome === 'duplicate') return new VigilError('approval_already_voted', why);
  // SCIM took them out of the approver group (or deleted it) a moment before; the request stays
  // pending for the approvers it still has, as had the vote come a moment later.
  if (result.outcome === 'not-an-approver')
    return new VigilError('approval_not_reviewer', why, { details: { approval_id: record.id } });
  // As the authenticator refuses a disabled identity: the gateway's copy of the directory was behind.
  if (result.outcome === 'reviewer-disabled') return new VigilError('auth_revoked', why);
  return new VigilError('approval_closed', why);
}
