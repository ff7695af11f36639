// The gateway's view of who may no longer act: disabled identities and revoked tokens. Read from
// the shared AccessStore and refreshed whenever its version changes (polled at a short interval), so
// an offboarding done by the CLI, SCIM or another replica takes effect here within one poll. It also
// holds what SCIM provisioning says about people: their groups, and since when their tokens are void.
import { type IdentityKind, subjectKey } from '../core/events.js';
import type { AccessStore } from '../core/ports.js';
import { ScimDirectory } from './scim-directory.js';

export interface AccessChange {
  /** Whether anything was re-read (the store's access version moved). */
  readonly changed: boolean;
  readonly newlyDisabled: readonly string[];
  readonly newlyRevoked: readonly string[];
}

export class AccessState {
  readonly #store: AccessStore;
  #version = -1;
  #disabled = new Map<string, string>();
  /**
   * The same, by subjectKey (ASCII case folded): a subject is disabled in every spelling of its case, as SCIM
   * already treats userName (a person may hold a second provider account, `Dana@Example.com`).
   */
  #disabledFolded = new Map<string, string>();
  #revoked = new Set<string>();
  #scim = ScimDirectory.EMPTY;

  constructor(store: AccessStore) {
    this.#store = store;
  }

  /**
   * Disabled by an admin (`vigil users disable`, any kind), or deprovisioned (inactive) over SCIM.
   * SCIM provisions people only: a SCIM user whose userName is a service account's name says
   * nothing about that account, so deactivating the user does not disable the service.
   */
  isDisabled(subject: string, kind: IdentityKind): boolean {
    return (
      this.#disabledFolded.has(subjectKey(subject)) || (kind === 'user' && this.#scim.isInactive(subject))
    );
  }

  /** Why an identity was disabled (the CLI's --reason, or SCIM's). */
  disabledReason(subject: string, kind: IdentityKind): string | null {
    return (
      this.#disabledFolded.get(subjectKey(subject)) ??
      (kind === 'user' && this.#scim.isInactive(subject)
        ? 'scim: deactivated by the identity provider'
        : null)
    );
  }

  isRevoked(tokenId: string | undefined): boolean {
    return tokenId !== undefined && this.#revoked.has(tokenId);
  }

  /** SCIM-provisioned users and groups as last read. */
  get scim(): ScimDirectory {
    return this.#scim;
  }

  /** Re-reads the store if anything changed; returns what became forbidden since the last refresh. */
  async refresh(): Promise<AccessChange> {
    const version = await this.#store.accessVersion();
    if (version === this.#version) return { changed: false, newlyDisabled: [], newlyRevoked: [] };
    const [disabled, revoked, users, groups] = await Promise.all([
      this.#store.disabledIdentities(),
      this.#store.revokedTokenIds(),
      this.#store.listScimUsers(),
      this.#store.listScimGroups(),
    ]);
    const nextDisabled = new Map(disabled.map((d) => [d.subject, d.reason]));
    const change = {
      changed: true,
      newlyDisabled: [...nextDisabled.keys()].filter((s) => !this.#disabled.has(s)),
      newlyRevoked: [...revoked].filter((id) => !this.#revoked.has(id)),
    };
    this.#version = version;
    this.#disabled = nextDisabled;
    this.#disabledFolded = new Map(disabled.map((d) => [subjectKey(d.subject), d.reason]));
    this.#revoked = revoked;
    this.#scim = new ScimDirectory(users, groups);
    return change;
  }
}
