// The pending requests an access change leaves unable to complete: one whose requester is now
// disabled (SCIM deprovisioning, `vigil users disable` from any process), and one that counts an
// approval from a reviewer who is now disabled or whom SCIM took out of its approvers. Requests live
// in the shared store, so this runs on every replica that reads the change (the revocation watcher's
// poll or the store's notice of it, and the SCIM request's own enforcement): whichever closes a
// request first records its withdrawal, the others find it closed (ApprovalService.withdraw).
import type { Identity, IdentityKind } from '../core/events.js';
import type { ApprovalRecord, ApprovalStore } from '../core/ports.js';
import type { AccessState } from '../identity/access-state.js';
import type { ScimDirectory } from '../identity/scim-directory.js';
import { approvalStands } from './membership-change.js';

/** Every pending request: a page of the newest would let a flood of newer ones hide the rest. */
const ALL_PENDING = Number.MAX_SAFE_INTEGER;

export interface LapsedRequestDeps {
  readonly access: Pick<AccessState, 'isDisabled'>;
  readonly approvalStore: Pick<ApprovalStore, 'listApprovals'>;
  readonly withdrawApproval: (id: string, reason: string) => Promise<void>;
}

/** A record an older release stored without a kind is a person's: only service accounts are not. */
function kindOf(identity: Identity): IdentityKind {
  return identity.kind === 'service' ? 'service' : 'user';
}

/**
 * Why `r` may no longer complete after the change from `before` to `after`, or null. A break-glass
 * use is still reviewed after whoever broke glass is offboarded: its grant is revoked on its own, and
 * the review is the look back at it.
 */
export function lapseOf(
  access: Pick<AccessState, 'isDisabled'>,
  before: ScimDirectory,
  after: ScimDirectory,
  r: ApprovalRecord,
): string | null {
  const { subject } = r.requester;
  if (r.kind !== 'break-glass' && access.isDisabled(subject, kindOf(r.requester)))
    return `the requester ${subject} was disabled`;
  for (const v of r.votes) {
    if (v.decision !== 'approve') continue;
    // A vote cannot be taken back, so the request closes and its requester asks again.
    if (access.isDisabled(v.reviewer.subject, kindOf(v.reviewer)))
      return `an approval came from ${v.reviewer.subject}, who was disabled`;
    if (!approvalStands(before, after, v.reviewer, r.approvers))
      return `an approval came from ${v.reviewer.subject}, no longer among its approvers`;
  }
  return null;
}

/**
 * Withdraws every pending request the access state, as just read, leaves unable to complete; `why`
 * names what changed it (a SCIM request) when known. Returns how many it asked to withdraw.
 */
export async function withdrawLapsedRequests(
  deps: LapsedRequestDeps,
  before: ScimDirectory,
  after: ScimDirectory,
  why: string | null = null,
): Promise<number> {
  const pending = await deps.approvalStore.listApprovals({ status: 'pending', limit: ALL_PENDING });
  const lapsed = pending.flatMap((r) => {
    const reason = lapseOf(deps.access, before, after, r);
    return reason ? [{ id: r.id, reason: why ? `${reason} (${why})` : reason }] : [];
  });
  await Promise.all(lapsed.map((l) => deps.withdrawApproval(l.id, l.reason)));
  return lapsed.length;
}
