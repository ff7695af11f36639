// The active access grants, held in memory so every connection attempt and every held action can
// ask "does this identity hold a grant here?" without a store read. Refreshed from the shared store
// when its grants version changes (another replica or the API created or revoked one); expiry is
// judged against the clock at each lookup, so a grant stops admitting the moment it ends.
import { sameIdentity } from '../core/events.js';
import type { ApprovalStore, Clock, GrantRecord } from '../core/ports.js';
import type { ActiveGrant, GrantHolder, GrantLookup } from '../pipeline/authorize.js';

export class GrantCache implements GrantLookup {
  readonly #store: ApprovalStore;
  readonly #clock: Clock;
  #version = -1;
  #grants: readonly GrantRecord[] = [];
  /** Grants that dropped out of the active list, and why: for the record of the sessions they cut. */
  readonly #ended = new Map<string, 'grant-expired' | 'grant-revoked'>();

  constructor(store: ApprovalStore, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  /** Re-reads the grants when the store says they changed. */
  async refresh(force = false): Promise<void> {
    const version = await this.#store.grantsVersion();
    if (!force && version === this.#version) return;
    const now = new Date(this.#clock.now()).toISOString();
    const grants = await this.#store.listGrants({ activeAt: now });
    const still = new Set(grants.map((g) => g.id));
    for (const old of this.#grants) {
      if (still.has(old.id)) continue;
      this.#ended.set(
        old.id,
        Date.parse(old.expiresAt) <= this.#clock.now() ? 'grant-expired' : 'grant-revoked',
      );
    }
    if (this.#ended.size > 10_000) this.#ended.delete(this.#ended.keys().next().value as string);
    this.#grants = grants;
    this.#version = version;
  }

  /**
   * The identity's active grant on the connection; a break-glass grant first, else the longest-lived.
   * Only a grant of the identity's own kind counts: the user `deploy` holds none of the service
   * account `deploy`'s grants, nor it the user's.
   */
  activeGrant(identity: GrantHolder, connection: string): ActiveGrant | null {
    let best: GrantRecord | null = null;
    for (const g of this.#grants) {
      if (
        !sameIdentity({ subject: g.subject, kind: g.subjectKind }, identity) ||
        g.connection !== connection ||
        !this.isActive(g.id)
      )
        continue;
      if (
        best === null ||
        (g.breakGlass && !best.breakGlass) ||
        (g.breakGlass === best.breakGlass && g.expiresAt > best.expiresAt)
      )
        best = g;
    }
    return best ? { id: best.id, breakGlass: best.breakGlass, expiresAt: best.expiresAt } : null;
  }

  /** Whether a grant is known, unrevoked and unexpired right now. */
  isActive(id: string): boolean {
    const g = this.#grants.find((x) => x.id === id);
    if (!g || g.revokedAt !== null) return false;
    return Date.parse(g.expiresAt) > this.#clock.now();
  }

  /** Why a grant no longer admits: for the access.revoked record of the sessions it cut. */
  endReason(id: string): 'grant-expired' | 'grant-revoked' {
    const g = this.#grants.find((x) => x.id === id);
    if (g) return g.revokedAt === null ? 'grant-expired' : 'grant-revoked';
    return this.#ended.get(id) ?? 'grant-revoked';
  }
}
