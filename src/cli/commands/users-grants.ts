// `vigil users disable` revokes the identity's live grants (src/policy/disabled-grants.ts), as SCIM
// deprovisioning does. The CLI writes the shared store from its own process, so it records each
// revocation as it records everything it does (`vigil purge`, audit.viewed): a short session of the
// local operator, one access.revoked per grant written before the store changes, the grant then
// revoked in the store by that operator. Gateways read it at their next grants poll.
import { hostname, userInfo } from 'node:os';
import { VigilError } from '../../core/errors.js';
import { type Identity, nowIso } from '../../core/events.js';
import { newId } from '../../core/ids.js';
import type { StoreBundle } from '../../core/ports.js';
import { Recorder } from '../../ledger/recorder.js';
import { liveGrantsOf, revokeGrants } from '../../policy/disabled-grants.js';

/** Revokes the live grants of a just-disabled identity; returns how many. */
export async function revokeDisabledGrants(
  store: Pick<StoreBundle, 'ledger' | 'approvals'>,
  subject: string,
  reason: string,
): Promise<number> {
  const at = nowIso();
  const grants = await liveGrantsOf(store.approvals, subject, at);
  if (grants.length === 0) return 0;
  // The operator as the CLI's other records name it: whoever can run the CLI can write the store.
  const identity: Identity = {
    subject: `local:${userInfo().username}@${hostname()}`,
    kind: 'user',
    groups: [],
  };
  const recorder = new Recorder(store.ledger);
  await recorder.init();
  const base = { sessionId: newId('s'), connection: 'cli', identity };
  await recorder.append(
    { ...base, type: 'session.start', time: nowIso(), payload: { protocol: 'cli' } },
    'cli',
  );
  try {
    return await revokeGrants(grants, async (g) => {
      await recorder.append({
        ...base,
        type: 'access.revoked',
        time: nowIso(),
        payload: {
          reason: 'grant-revoked',
          grant_id: g.id,
          subject: g.subject,
          approval_id: g.approvalId,
          connection: g.connection,
          detail: `identity disabled: ${reason}`,
          via: 'cli',
        },
      });
      if (!(await store.approvals.revokeGrant(g.id, nowIso(), identity.subject)))
        throw new VigilError('grant_unknown', `grant ${g.id} is already revoked`);
    });
  } finally {
    await recorder.append({ ...base, type: 'session.end', time: nowIso(), payload: { reason: 'closed' } });
  }
}
