// Who may approve a request, and how many must, under the configuration in force now. A request
// stores the approvers and the count of the moment it was made; a reload that takes a reviewer out,
// turns a review rule into a deny or asks for more approvals must hold for what still waits, so an
// approval counts only from someone named both then and now, and the higher count of the two holds.
import type { ApprovalsConfig } from '../core/config.js';
import type { Identity } from '../core/events.js';
import type { ApprovalRecord } from '../core/ports.js';
import { matchesPrincipal } from '../pipeline/authorize.js';

/** A review rule's approvers and approval count as configured now. */
export interface ReviewNow {
  readonly approvers: readonly string[];
  readonly required: number;
}

/**
 * The review a rule asks for now, or null when no review rule of that name is in force (it was
 * removed, or now allows or denies).
 */
export type ReviewApprovers = (rule: string) => ReviewNow | null;

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
  return record.rule === null ? null : (reviewApprovers(record.rule)?.approvers ?? null);
}

/**
 * How many approvals release `record` now: the count it was made with, or the one in force if a
 * reload raised it (a lowered count does not release what waits sooner than its requester was told).
 */
export function requiredNow(
  record: ApprovalRecord,
  config: ApprovalsConfig,
  reviewApprovers: ReviewApprovers | undefined,
): number {
  const now =
    record.kind === 'access'
      ? config.access_requests.required
      : record.kind === 'action' && reviewApprovers && record.rule !== null
        ? (reviewApprovers(record.rule)?.required ?? record.required)
        : record.required;
  return Math.max(record.required, now);
}

export function isApproverNow(
  record: ApprovalRecord,
  reviewer: Identity,
  config: ApprovalsConfig,
  reviewApprovers: ReviewApprovers | undefined,
): boolean {
  return approversNow(record, config, reviewApprovers)?.some((p) => matchesPrincipal(p, reviewer)) ?? false;
}
