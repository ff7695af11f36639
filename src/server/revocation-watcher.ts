// Offboarding on the live path: polls the access state and cuts every live session of a disabled
// identity or a revoked token (open streams, database connections), each recorded as access.revoked.
import type { AccessState } from '../identity/access-state.js';
import type { SessionManager } from '../pipeline/sessions.js';
import { PeriodicCheck } from './periodic-check.js';

export class RevocationWatcher extends PeriodicCheck {
  constructor(
    access: AccessState,
    sessions: SessionManager,
    intervalMs: number,
    onError: (err: unknown) => void,
  ) {
    super(intervalMs, () => cutRevoked(access, sessions), onError);
  }
}

/** One pass: refresh the access state and cut what it now forbids. */
async function cutRevoked(access: AccessState, sessions: SessionManager): Promise<void> {
  await access.refresh();
  const cuts = sessions.liveSessions().flatMap((session) => {
    const { subject, tokenId } = session.identity;
    if (access.isDisabled(subject)) {
      const detail = access.disabledReason(subject);
      return [
        sessions.revoke(session, { reason: 'identity-disabled', subject, ...(detail ? { detail } : {}) }),
      ];
    }
    if (access.isRevoked(tokenId)) {
      return [sessions.revoke(session, { reason: 'token-revoked', subject, token_id: tokenId ?? null })];
    }
    return [];
  });
  await Promise.all(cuts);
}
