// Disabling an identity (`vigil users disable`, POST /api/users/:subject/disable) revokes its live
// grants, as SCIM deprovisioning does. A disabled identity cannot use a grant, but the grant itself
// would outlive the disable and admit the identity again the moment it is enabled inside the grant's
// window: access approved for a task from before the offboarding, regained for another reason.
import { VigilError } from '../core/errors.js';
import { sameSubject } from '../core/events.js';
import type { ApprovalStore, GrantRecord } from '../core/ports.js';

/**
 * The unrevoked grants live at `at` of every identity of this name. A disable covers every kind
 * (a service account that shares the name included, docs/identity.md), so its grants go with it; the
 * subject is compared as the disable compares it, ASCII case folded.
 */
export async function liveGrantsOf(
  store: Pick<ApprovalStore, 'listGrants'>,
  subject: string,
  at: string,
): Promise<GrantRecord[]> {
  return (await store.listGrants({ activeAt: at })).filter(
    (g) => g.revokedAt === null && sameSubject(g.subject, subject),
  );
}

/**
 * Revokes each grant through `revoke` (which records and stores the revocation); one that someone
 * else revoked meanwhile (`grant_unknown`) is no failure. Returns how many it revoked.
 */
export async function revokeGrants(
  grants: readonly GrantRecord[],
  revoke: (grant: GrantRecord) => Promise<unknown>,
): Promise<number> {
  const outcomes = await Promise.allSettled(grants.map((g) => revoke(g)));
  let revoked = 0;
  for (const outcome of outcomes) {
    if (outcome.status === 'fulfilled') revoked += 1;
    else if (!(outcome.reason instanceof VigilError && outcome.reason.code === 'grant_unknown'))
      throw outcome.reason;
  }
  return revoked;
}
