// Who may approve a request, and how many must, under the configuration in force now. A request
// stores the approvers and the count of the moment it was made; a reload that takes a reviewer out,
// turns a review rule into a deny or asks for more approvals must hold for what still waits, so an
// approval counts only from someone named both then and now, and the higher count of the two holds.
// A service account approves only with a credential vigil.yaml defines (mintedCredentialRefusal).
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

/**
 * The credentials vigil.yaml defines (identity/config-tokens.ts): a token by its hash (`cfg_…`) or an
 * SSH public key (`key_…`). Whoever may write the file may also name the approvers in it.
 */
const CONFIGURED_CREDENTIAL = /^(?:cfg|key)_/;

/**
 * Why `reviewer` may not approve through the credential they presented, or null. A service account's
 * other tokens are minted at run time (`vigil token create`, POST /api/tokens) for any name by any
 * admin: a rule naming `service:release-bot` as an approver would let every admin, the requester of
 * a held statement included, mint a release-bot token and approve their own request, although roles
 * make nobody an approver. So a service account approves only with a credential vigil.yaml defines;
 * anything else (a minted `sa_…` token, a credential of no known kind) is refused. People are not
 * concerned: their identity comes from the provider or the file, which no admin mints.
 */
export function mintedCredentialRefusal(reviewer: Identity): string | null {
  if (reviewer.kind !== 'service' || CONFIGURED_CREDENTIAL.test(reviewer.tokenId ?? '')) return null;
  return (
    `the service account ${reviewer.subject} approves only with a credential defined in vigil.yaml, ` +
    'not a token minted with `vigil token create` or POST /api/tokens (any admin may mint one)'
  );
}
