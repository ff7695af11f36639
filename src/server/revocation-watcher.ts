// Offboarding on the live path: polls the access state and cuts every live session of a disabled
// identity or a revoked token (open streams, database connections), each recorded as access.revoked;
// and, when SCIM membership changed, the sessions of provisioned people whose groups it changed.
// When the access state changed it also hands the change on (`onChange`): the pending requests it
// leaves unable to complete are withdrawn by whichever replica reads it first, whatever made it
// (SCIM on another replica, `vigil users disable` in another process).
import type { Identity } from '../core/events.js';
import type { AccessState } from '../identity/access-state.js';
import type { ScimDirectory } from '../identity/scim-directory.js';
import type { LiveSession, SessionManager } from '../pipeline/sessions.js';
import { membershipVerdict } from '../scim/membership-change.js';
import { PeriodicCheck } from './periodic-check.js';

export class RevocationWatcher extends PeriodicCheck {
  constructor(
    access: AccessState,
    sessions: SessionManager,
    intervalMs: number,
    onError: (err: unknown) => void,
    stillAllowed: StillAllowed = () => true,
    onChange: OnAccessChange = async () => {},
  ) {
    super(intervalMs, () => cutRevoked(access, sessions, stillAllowed, onChange), onError);
  }
}

type StillAllowed = (session: LiveSession, identity: Identity) => boolean;
/** Called after the cuts have started, with the SCIM directory before and after the change. */
export type OnAccessChange = (before: ScimDirectory, after: ScimDirectory) => Promise<unknown>;

/** One pass: refresh the access state and cut what it now forbids. */
async function cutRevoked(
  access: AccessState,
  sessions: SessionManager,
  stillAllowed: StillAllowed,
  onChange: OnAccessChange,
): Promise<void> {
  const before = access.scim;
  const { changed } = await access.refresh();
  const cuts = sessions.liveSessions().flatMap((session) => {
    const { subject, tokenId, kind } = session.identity;
    if (access.isDisabled(subject, kind)) {
      const detail = access.disabledReason(subject, kind);
      return [
        sessions.revoke(session, { reason: 'identity-disabled', subject, ...(detail ? { detail } : {}) }),
      ];
    }
    if (access.isRevoked(tokenId)) {
      return [sessions.revoke(session, { reason: 'token-revoked', subject, token_id: tokenId ?? null })];
    }
    if (changed) {
      // Policy judges a session with the groups it was admitted with: one whose groups SCIM changed ends.
      const reason = membershipVerdict(before, access.scim, session.identity, (identity) =>
        stillAllowed(session, identity),
      );
      if (reason)
        return [sessions.revoke(session, { reason, subject, detail: 'scim: group membership changed' })];
    }
    return [];
  });
  await Promise.all(changed ? [...cuts, onChange(before, access.scim)] : cuts);
}
