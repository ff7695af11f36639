// Who may approve a request under the configuration in force now. A request stores the approvers
// of the moment it was made; a reload that takes a reviewer out, or turns a review rule into a deny,
// must hold for what still waits, so an approval counts only from someone named both then and now.
import type { ApprovalsConfig } from '../core/config.js';
import type { Identity } from '../core/events.js';
import type { ApprovalRecord } from '../core/ports.js';
import { matchesPrincipal } from '../pipeline/authorize.js';

/**
 * The approvers a review rule has now, or null when no review rule of that name is in force (it
 * was removed, or now allows or denies).
 */
export type ReviewApprovers = (rule: string) => readonly string[] | null;

/** Who approves `record` now; null: nobody (its rule no longer reviews). */
export function approversNow(
  record: ApprovalRecord,
  config: ApprovalsConfig,
  reviewApprovers: ReviewApprovers | undefined,
): readonly string[] | null {
  if (record.kind === 'access') return config.access_requests.approvers;
  if (record.kind === 'break-glass') {
    return config.break_glass.reviewers.length > 0
      ? config.break_glass.reviewers
      : config.access_requests.approvers;
  }
  if (!reviewApprovers) return record.approvers;
  return record.rule === null ? null : reviewApprovers(record.rule);
}

export function isApproverNow(
  record: ApprovalRecord,
  reviewer: Identity,
  config: ApprovalsConfig,
  reviewApprovers: ReviewApprovers | undefined,
): boolean {
  return approversNow(record, config, reviewApprovers)?.some((p) => matchesPrincipal(p, reviewer)) ?? false;
}
