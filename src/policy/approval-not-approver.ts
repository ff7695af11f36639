// An approval the store refused because its directory, as committed, no longer places the reviewer
// among the request's approvers (SCIM took them out of the approver group, or deleted the group, a
// moment before, and this gateway's copy of the directory had not read it yet). The approval was
// recorded before the store judged it (write-ahead), so the ledger must say it did not count. The
// request stays pending for the approvers it still has: one person's lost right to approve takes
// nothing from the others, as it would not have had the vote come a moment later (the gateway
// would have refused it then, approval_not_reviewer).
import { VigilError } from '../core/errors.js';
import type { EventType, JsonObject } from '../core/events.js';
import type { ApprovalStore } from '../core/ports.js';
import type { EventContext } from '../pipeline/pipeline.js';
import { approvalContext } from './grant-issuer.js';
import type { TriedDecision } from './uncounted-decisions.js';

export interface NotApproverDeps {
  readonly store: Pick<ApprovalStore, 'getApproval'>;
  readonly record: (ctx: EventContext, type: EventType, payload: JsonObject) => Promise<unknown>;
  readonly logger: { error(obj: object, msg: string): void };
}

/**
 * Records that `tried` did not count, with the request's outcome as the store has it, and returns
 * the refusal for the reviewer. The refusal stands even when this record fails.
 */
export async function refuseNotApprover(deps: NotApproverDeps, tried: TriedDecision): Promise<VigilError> {
  const { record, reviewer, decision } = tried;
  const why = `${reviewer.subject} is no longer among the approvers of ${record.id} in the directory`;
  try {
    const now = (await deps.store.getApproval(record.id)) ?? record;
    await deps.record(approvalContext(now, reviewer), 'approval.decided', {
      approval_id: now.id,
      kind: now.kind,
      decision,
      reason: `not counted: ${why}`,
      outcome: now.status,
      counted: false,
      approvals: now.votes.filter((v) => v.decision === 'approve').length,
      required: now.required,
    });
  } catch (err) {
    deps.logger.error(
      { err: (err as Error).message, approval_id: record.id },
      'could not record that a decision did not count',
    );
  }
  return new VigilError('approval_not_reviewer', why, { details: { approval_id: record.id } });
}
