// The gateway's view of who may no longer act: disabled identities and revoked tokens. Read from
// the shared AccessStore and refreshed whenever its version changes (polled at a short interval), so
// an offboarding done by the CLI or another replica takes effect here within one poll.
import type { AccessStore } from '../core/ports.js';

export interface AccessChange {
  readonly newlyDisabled: readonly string[];
  readonly newlyRevoked: readonly string[];
}

export class AccessState {
  readonly #store: AccessStore;
  #version = -1;
  #disabled = new Set<string>();
  #revoked = new Set<string>();

  constructor(store: AccessStore) {
    this.#store = store;
  }

  isDisabled(subject: string): boolean {
    return this.#disabled.has(subject);
  }

  isRevoked(tokenId: string | undefined): boolean {
    return tokenId !== undefined && this.#revoked.has(tokenId);
  }

  /** Re-reads the store if anything changed; returns what became forbidden since the last refresh. */
  async refresh(): Promise<AccessChange> {
    const version = await this.#store.accessVersion();
    if (version === this.#version) return { newlyDisabled: [], newlyRevoked: [] };
    const [disabled, revoked] = await Promise.all([
      this.#store.disabledIdentities(),
      this.#store.revokedTokenIds(),
    ]);
    const nextDisabled = new Set(disabled.map((d) => d.subject));
    const change = {
      newlyDisabled: [...nextDisabled].filter((s) => !this.#disabled.has(s)),
      newlyRevoked: [...revoked].filter((id) => !this.#revoked.has(id)),
    };
    this.#version = version;
    this.#disabled = nextDisabled;
    this.#revoked = revoked;
    return change;
  }
}
