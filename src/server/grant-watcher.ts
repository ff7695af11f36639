// Time-bound access on the live path: refreshes the active grants and cuts every live session a
// grant admitted once that grant has expired or been revoked, each cut recorded as access.revoked.
import type { SessionManager } from '../pipeline/sessions.js';
import type { GrantCache } from '../policy/grant-cache.js';
import { PeriodicCheck } from './periodic-check.js';

export class GrantWatcher extends PeriodicCheck {
  constructor(
    grants: GrantCache,
    sessions: SessionManager,
    intervalMs: number,
    onError: (err: unknown) => void,
  ) {
    super(intervalMs, () => cutEndedGrants(grants, sessions), onError);
  }
}

async function cutEndedGrants(grants: GrantCache, sessions: SessionManager): Promise<void> {
  await grants.refresh();
  const cuts = sessions.liveSessions().flatMap((session) => {
    const grantId = session.grantId;
    if (grantId === null || grants.isActive(grantId)) return [];
    return [
      sessions.revoke(session, {
        reason: grants.endReason(grantId),
        grant_id: grantId,
        subject: session.identity.subject,
      }),
    ];
  });
  await Promise.all(cuts);
}
