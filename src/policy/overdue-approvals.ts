// The expiry sweep: every pending request past its deadline, found in pages of the earliest
// deadlines first. Reading the newest requests instead let a requester who filed enough newer ones
// keep an old request pending past its deadline on every replica (its client not told
// approval_timeout, no approval.decided with outcome timeout, the reviewers' inbox filling).
import type { ApprovalCursor, ApprovalRecord, ApprovalStore } from '../core/ports.js';

/** Requests read per page: a bounded read however many are overdue. */
export const OVERDUE_PAGE = 100;

/**
 * Visits each request pending at `at` whose deadline is at or before it, one at a time. The pages
 * follow a cursor rather than reading the first page again, so a request that stays pending (held
 * here, or one whose close failed) cannot keep the sweep from the ones after it, and the sweep ends
 * even while new requests keep arriving.
 */
export async function forEachOverdue(
  store: Pick<ApprovalStore, 'listOverdueApprovals'>,
  at: string,
  visit: (record: ApprovalRecord) => Promise<void>,
): Promise<void> {
  let after: ApprovalCursor | undefined;
  for (;;) {
    const page = await store.listOverdueApprovals(at, OVERDUE_PAGE, after);
    for (const record of page) await visit(record);
    const last = page.at(-1);
    if (!last || page.length < OVERDUE_PAGE) return;
    after = { expiresAt: last.expiresAt, id: last.id };
  }
}
