// Whether a request still waiting may be completed, given who has been offboarded since it was
// made. An approval counts only while its reviewer may still act, and a request only while its
// requester may: SCIM deprovisioning withdraws such requests as it happens (scim/enforcement.ts),
// but `vigil users disable` writes the shared store from another process and the admin API only
// cuts live sessions, so the check is made again when the next approval would count.
import type { Identity } from '../core/events.js';
import type { ApprovalRecord } from '../core/ports.js';

/**
 * Why the request must close before another approval counts, or null when nothing lapsed. A
 * break-glass use is still reviewed after whoever broke glass, or a reviewer, was offboarded: its
 * grant was given already, and the review is the look back at it.
 */
export async function lapsedBy(
  record: ApprovalRecord,
  isDisabled: ((identity: Identity) => Promise<boolean>) | undefined,
): Promise<string | null> {
  if (!isDisabled || record.kind === 'break-glass') return null;
  if (await isDisabled(record.requester)) {
    return `the requester ${record.requester.subject} was disabled`;
  }
  for (const v of record.votes) {
    if (v.decision === 'approve' && (await isDisabled(v.reviewer))) {
      return `an approval came from ${v.reviewer.subject}, who was disabled`;
    }
  }
  return null;
}
