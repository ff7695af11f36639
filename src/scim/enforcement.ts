// What a SCIM change does to people already inside: deprovisioning (active false, DELETE) cuts every
// live session of that person on every protocol, revokes the tokens those sessions use and their
// active grants, and withdraws their pending requests (a held statement is refused, never run) and
// the pending requests their approval counts towards (lapsed-requests.ts); a membership change ends
// the live sessions of everyone whose groups it changed (membership-change.ts). This is the same
// mechanism as `vigil users disable` (AccessState, SessionManager.revoke), run at once on this
// gateway; other replicas follow within one revocation poll, and the replica that first reads the
// change withdraws the requests (the revocation watcher does it as well).
import { type Identity, type JsonObject, sameSubject } from '../core/events.js';
import type { AccessStore, ApprovalStore } from '../core/ports.js';
import type { AccessState } from '../identity/access-state.js';
import type { ScimDirectory } from '../identity/scim-directory.js';
import type { LiveSession, SessionManager } from '../pipeline/sessions.js';
import { withdrawLapsedRequests } from './lapsed-requests.js';
import { membershipVerdict } from './membership-change.js';

export interface ScimEnforcementDeps {
  readonly access: AccessState;
  readonly accessStore: AccessStore;
  readonly sessions: SessionManager;
  readonly approvalStore: ApprovalStore;
  readonly withdrawApproval: (id: string, reason: string) => Promise<void>;
  readonly revokeGrant: (id: string, by: Identity) => Promise<unknown>;
  /** Whether an identity (with its current groups) may still use the session's connection. */
  readonly stillAllowed: (session: LiveSession, identity: Identity) => boolean;
  readonly now?: () => number;
}

/** The SCIM request a change came from, named in every access.revoked it causes. */
export interface ScimCause {
  readonly method: string;
  readonly path: string;
  readonly scimId: string;
  readonly requestId: string | null;
  /** Who made it: the SCIM token's identity. */
  readonly by: Identity;
}

export function describeCause(cause: ScimCause): string {
  return `scim ${cause.method} ${cause.path}${cause.requestId ? ` (request ${cause.requestId})` : ''}`;
}

function causeFacts(cause: ScimCause): JsonObject {
  return {
    detail: describeCause(cause),
    scim: { method: cause.method, path: cause.path, id: cause.scimId, request_id: cause.requestId },
  };
}

export class ScimEnforcement {
  readonly #deps: ScimEnforcementDeps;

  constructor(deps: ScimEnforcementDeps) {
    this.#deps = deps;
  }

  #liveSessionsOf(subject: string): LiveSession[] {
    return this.#deps.sessions
      .liveSessions()
      .filter((s) => s.identity.kind === 'user' && sameSubject(s.identity.subject, subject));
  }

  /**
   * Makes this gateway see a change at once (a re-activation, a new member), not at the next poll.
   * Whoever reads a change here also re-checks the live sessions against it (the revocation poll
   * will then find nothing new), whatever made it: this SCIM request, or another replica's.
   */
  async refresh(cause: ScimCause | null = null): Promise<number> {
    const cuts = await this.#refresh(cause);
    await Promise.all(cuts);
    return cuts.length;
  }

  /**
   * Re-reads the access state; the cuts it calls for have started when this resolves. The pending
   * requests are checked against the directory as it now stands even when this read finds nothing
   * new: the revocation watcher (its poll, or the store's notice of this very change) may have read
   * it first. It withdraws them too (lapsed-requests.ts), and whichever does so first records it.
   */
  async #refresh(cause: ScimCause | null): Promise<Promise<void>[]> {
    const { access, sessions } = this.#deps;
    const before = access.scim;
    const { changed } = await access.refresh();
    const after = access.scim;
    if (!changed) return [this.#withdrawLapsed(before, after, cause)];
    const facts = cause ? causeFacts(cause) : { detail: 'scim: group membership changed' };
    const cuts = sessions.liveSessions().flatMap((s) => {
      // A disabled person's sessions end as such (deprovision, the revocation poll), not as a regrouping.
      if (access.isDisabled(s.identity.subject, s.identity.kind)) return [];
      const reason = membershipVerdict(before, after, s.identity, (identity) =>
        this.#deps.stillAllowed(s, identity),
      );
      return reason ? [sessions.revoke(s, { reason, subject: s.identity.subject, ...facts })] : [];
    });
    return [...cuts, this.#withdrawLapsed(before, after, cause)];
  }

  /**
   * Withdraws the pending requests of people now disabled and those counting an approval from
   * someone now disabled or taken out of their approvers. Requests live in the shared store, so the
   * gateway that reads the change first does it for every replica.
   */
  async #withdrawLapsed(before: ScimDirectory, after: ScimDirectory, cause: ScimCause | null): Promise<void> {
    await withdrawLapsedRequests(this.#deps, before, after, cause ? describeCause(cause) : null);
  }

  /**
   * Takes everything away from a deprovisioned person. The store already says they are disabled, so
   * the refresh finds their requests and those their approval counts towards (lapsed-requests.ts).
   */
  async deprovision(subject: string, cause: ScimCause): Promise<{ sessions: number; grants: number }> {
    const { accessStore, approvalStore, sessions } = this.#deps;
    const at = new Date((this.#deps.now ?? Date.now)()).toISOString();
    const regrouped = await this.#refresh(cause);
    const live = this.#liveSessionsOf(subject);
    // The cuts start at once, alongside the rest: a held statement is refused either way (its session
    // ends, and its request is withdrawn), and nothing here waits for another person's change.
    const cuts = live.map((s) =>
      sessions.revoke(s, { reason: 'identity-disabled', subject: s.identity.subject, ...causeFacts(cause) }),
    );
    const tokenIds = new Set(live.flatMap((s) => (s.identity.tokenId ? [s.identity.tokenId] : [])));
    // A service account's grants are not the person's, whatever its name (docs/policy.md).
    const grants = (await approvalStore.listGrants({ activeAt: at })).filter(
      (g) => g.subjectKind !== 'service' && sameSubject(g.subject, subject),
    );
    await Promise.all([
      ...regrouped,
      ...cuts,
      ...[...tokenIds].map((id) => accessStore.revokeToken(id, at)),
      ...grants.map((g) => this.#deps.revokeGrant(g.id, cause.by)),
    ]);
    return { sessions: live.length, grants: grants.length };
  }

  /**
   * After a membership change: ends the live sessions whose person SCIM now gives other groups
   * (membership-change.ts), those whose connection they may no longer use first among them.
   */
  recheck(cause: ScimCause): Promise<number> {
    return this.refresh(cause);
  }
}
