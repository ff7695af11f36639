// What a SCIM change does to people already inside: deprovisioning (active false, DELETE) cuts every
// live session of that person on every protocol, revokes the tokens those sessions use and their
// active grants, and withdraws their pending approvals (a held statement is refused, never run);
// a membership change re-checks their live sessions against each connection's allow list. This is
// the same mechanism as `vigil users disable` (AccessState, SessionManager.revoke), run at once on
// this gateway; other replicas follow within one revocation poll.
import { type Identity, type JsonObject, sameSubject } from '../core/events.js';
import type { AccessStore, ApprovalStore } from '../core/ports.js';
import type { AccessState } from '../identity/access-state.js';
import type { LiveSession, SessionManager } from '../pipeline/sessions.js';

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

  /** Makes this gateway see a change at once (a re-activation, a new member), not at the next poll. */
  async refresh(): Promise<void> {
    await this.#deps.access.refresh();
  }

  /** Takes everything away from a deprovisioned person. The store already says they are disabled. */
  async deprovision(
    subject: string,
    cause: ScimCause,
  ): Promise<{ sessions: number; grants: number; approvals: number }> {
    const { access, accessStore, approvalStore, sessions } = this.#deps;
    const at = new Date((this.#deps.now ?? Date.now)()).toISOString();
    await access.refresh();
    const live = this.#liveSessionsOf(subject);
    // The cuts start at once, alongside the rest: a held statement is refused either way (its session
    // ends, and its request is withdrawn), and nothing here waits for another person's change.
    const cuts = live.map((s) =>
      sessions.revoke(s, { reason: 'identity-disabled', subject: s.identity.subject, ...causeFacts(cause) }),
    );
    const pending = (await approvalStore.listApprovals({ status: 'pending' })).filter((r) =>
      sameSubject(r.requester.subject, subject),
    );
    const why = `the requester was deprovisioned (${describeCause(cause)})`;
    const tokenIds = new Set(live.flatMap((s) => (s.identity.tokenId ? [s.identity.tokenId] : [])));
    const grants = (await approvalStore.listGrants({ activeAt: at })).filter((g) =>
      sameSubject(g.subject, subject),
    );
    await Promise.all([
      ...cuts,
      ...pending.map((r) => this.#deps.withdrawApproval(r.id, why)),
      ...[...tokenIds].map((id) => accessStore.revokeToken(id, at)),
      ...grants.map((g) => this.#deps.revokeGrant(g.id, cause.by)),
    ]);
    return { sessions: live.length, grants: grants.length, approvals: pending.length };
  }

  /** After a membership change: cuts the live sessions whose connection these people may no longer use. */
  async recheck(subjects: readonly string[], cause: ScimCause): Promise<number> {
    const { access, sessions } = this.#deps;
    await access.refresh();
    const cut = subjects.flatMap((subject) =>
      this.#liveSessionsOf(subject).filter((s) => {
        const groups = access.scim.groupsFor(s.identity.subject, s.identity.groups);
        return !this.#deps.stillAllowed(s, { ...s.identity, groups });
      }),
    );
    await Promise.all(
      cut.map((s) =>
        sessions.revoke(s, { reason: 'group-removed', subject: s.identity.subject, ...causeFacts(cause) }),
      ),
    );
    return cut.length;
  }
}
