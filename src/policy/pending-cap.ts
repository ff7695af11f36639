// A cap on the access requests one requester has waiting at once. Filing one costs a single API
// call and holds no connection, so without a cap one requester could bury the reviewers' inbox (and
// the console's list) under requests of their own.
import { VigilError } from '../core/errors.js';
import type { Identity } from '../core/events.js';
import type { ApprovalStore } from '../core/ports.js';

/**
 * Refuses a new access request once its requester has `max` requests (held actions and access
 * requests; `approvals.access_requests.max_pending`) pending (their subject compared as
 * sameSubject does, so two spellings of one person share it). Checked before anything is recorded;
 * requests made at the same instant on several replicas may pass it together, so the cap bounds a
 * flood rather than fixing an exact count.
 */
export async function checkPendingCap(
  store: Pick<ApprovalStore, 'countPendingApprovals'>,
  requester: Identity,
  max: number,
): Promise<void> {
  const pending = await store.countPendingApprovals(requester.subject);
  if (pending >= max) {
    throw new VigilError(
      'approval_limit',
      `${requester.subject} has ${pending} requests awaiting review (at most ${max}); ` +
        'wait for a decision or for them to expire',
    );
  }
}
