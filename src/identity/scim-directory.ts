// What SCIM provisioning says about an identity, as the authenticator needs it: a provisioned user's
// groups come from SCIM membership, and tokens issued before the user was last deactivated stay void.
// SCIM is authoritative for the groups it manages: a group that exists in SCIM is held only by its
// SCIM members, whatever a token's claims say, so removing someone from it in the identity provider
// takes the group away even from a token signed in earlier. Other groups in the token are kept.
import { subjectKey } from '../core/events.js';
import type { ScimGroupRecord, ScimUserRecord } from '../core/ports.js';

export class ScimDirectory {
  static readonly EMPTY = new ScimDirectory([], []);

  /** By subjectKey(userName): SCIM compares userName without case, Vigil only ASCII case. */
  readonly #users = new Map<string, ScimUserRecord>();
  readonly #groupsOf = new Map<string, string[]>();
  readonly #managed = new Set<string>();

  constructor(users: readonly ScimUserRecord[], groups: readonly ScimGroupRecord[]) {
    const byId = new Map(users.map((u) => [u.id, u]));
    for (const u of users) this.#users.set(subjectKey(u.userName), u);
    for (const g of groups) {
      this.#managed.add(g.displayName);
      for (const member of g.members) {
        const user = byId.get(member);
        if (!user) continue;
        const key = subjectKey(user.userName);
        this.#groupsOf.set(key, [...(this.#groupsOf.get(key) ?? []), g.displayName]);
      }
    }
  }

  /** A provisioned user the provider marked inactive: refused like a disabled identity. */
  isInactive(subject: string): boolean {
    return this.#users.get(subjectKey(subject))?.active === false;
  }

  /**
   * The groups a person holds: their SCIM groups, plus the unmanaged ones their token brought. A
   * person SCIM does not provision holds no managed group either: a group SCIM manages comes only
   * from SCIM, else anyone the provider leaves out of SCIM would keep it by claiming it.
   */
  groupsFor(subject: string, claimed: readonly string[]): string[] {
    const key = subjectKey(subject);
    const kept = claimed.filter((g) => !this.#managed.has(g));
    return [...new Set([...kept, ...(this.#groupsOf.get(key) ?? [])])];
  }

  /** Whether a token issued at `issuedAtMs` predates the user's last deactivation (so it stays void). */
  tokenPredatesDeactivation(subject: string, issuedAtMs: number): boolean {
    const revokedAt = this.#users.get(subjectKey(subject))?.tokensRevokedAt;
    // iat has whole seconds: a token from the same second as the deactivation is void too.
    return revokedAt != null && issuedAtMs <= Date.parse(revokedAt);
  }
}
