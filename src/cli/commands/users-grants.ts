// `vigil users disable` revokes the identity's live grants (src/policy/disabled-grants.ts), as SCIM
// deprovisioning does. The CLI writes the shared store from its own process, so it records each
// revocation as it records everything it does (`vigil purge`, audit.viewed): a short session of the
// local operator, one access.revoked per grant written before the store changes, the grant then
// revoked in the store by that operator. Gateways read it at their next grants poll.
import { VigilError } from '../../core/errors.js';
import { nowIso } from '../../core/events.js';
import type { StoreBundle } from '../../core/ports.js';
import { liveGrantsOf, revokeGrants } from '../../policy/disabled-grants.js';
import { OperatorSession } from '../operator-session.js';

/** Revokes the live grants of a just-disabled identity; returns how many. */
export async function revokeDisabledGrants(
  store: Pick<StoreBundle, 'ledger' | 'approvals'>,
  subject: string,
  reason: string,
): Promise<number> {
  const at = nowIso();
  const grants = await liveGrantsOf(store.approvals, subject, at);
  if (grants.length === 0) return 0;
  const session = await OperatorSession.open(store.ledger);
  try {
    return await revokeGrants(grants, async (g) => {
      await session.record('access.revoked', {
        reason: 'grant-revoked',
        grant_id: g.id,
        subject: g.subject,
        approval_id: g.approvalId,
        connection: g.connection,
        detail: `identity disabled: ${reason}`,
        via: 'cli',
      });
      if (!(await store.approvals.revokeGrant(g.id, nowIso(), session.identity.subject)))
        throw new VigilError('grant_unknown', `grant ${g.id} is already revoked`);
    });
  } finally {
    await session.close();
  }
}
