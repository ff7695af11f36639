// The error a held action is refused with, for each way its approval request can end without an
// approval: a reviewer denied it, nobody decided in time, or it was withdrawn (the requester went
// away, a reviewer's vote lapsed). Stable codes, so each protocol module maps them to its wire.
import { VigilError } from '../core/errors.js';
import type { ApprovalRecord } from '../core/ports.js';

/** Why Vigil closed a request, as recorded in its approval.decided event. */
export function closeReason(status: 'expired' | 'withdrawn', why?: string): string {
  return why ?? (status === 'expired' ? 'no decision before the deadline' : 'the requester went away');
}

/** The refusal for a request Vigil closed itself. */
export function closedRefusal(id: string, status: 'expired' | 'withdrawn', why?: string): VigilError {
  const details = { approval_id: id };
  return status === 'expired'
    ? new VigilError('approval_timeout', `no reviewer decided ${id} in time; the action was not run`, {
        details,
      })
    : new VigilError('approval_withdrawn', `${id} was withdrawn: ${closeReason(status, why)}`, { details });
}

/** The refusal for a request a reviewer denied, naming the last reviewer who did and why. */
export function denialRefusal(record: ApprovalRecord): VigilError {
  const denial = [...record.votes].reverse().find((v) => v.decision === 'deny');
  return new VigilError(
    'approval_denied',
    `${denial?.reviewer.subject ?? 'a reviewer'} denied ${record.id}: ${denial?.reason ?? 'no reason given'}`,
    { details: { approval_id: record.id } },
  );
}

/** The refusal for a request found closed by another replica (expired or withdrawn there). */
export function settledElsewhereRefusal(record: ApprovalRecord): VigilError {
  if (record.status === 'expired') return closedRefusal(record.id, 'expired');
  return new VigilError('approval_withdrawn', `${record.id} was withdrawn; the action was not run`, {
    details: { approval_id: record.id },
  });
}
