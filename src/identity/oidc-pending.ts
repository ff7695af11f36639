// Sign-ins under way in a browser: the PKCE verifier and nonce stay on the gateway, keyed by the
// `state` the provider hands back. Bounded in count and time, so anonymous /auth/login calls
// cannot grow memory; each entry can be taken once.
import type { AuthorizationChecks } from './oidc-client.js';

export interface PendingSignInsOptions {
  readonly ttlMs: number;
  readonly maxEntries: number;
  readonly now?: () => number;
}

export class PendingSignIns {
  readonly #entries = new Map<string, { checks: AuthorizationChecks; expiresAt: number }>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;

  constructor(options: PendingSignInsOptions) {
    this.#ttlMs = options.ttlMs;
    this.#max = options.maxEntries;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  add(checks: AuthorizationChecks): void {
    this.#sweep();
    // Maps iterate in insertion order: the first key is the oldest sign-in, dropped when full.
    while (this.#entries.size >= this.#max) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(checks.state, { checks, expiresAt: this.#now() + this.#ttlMs });
  }

  /** The checks for this state, removed so a callback cannot be replayed; null if unknown or expired. */
  take(state: string): AuthorizationChecks | null {
    const entry = this.#entries.get(state);
    if (!entry) return null;
    this.#entries.delete(state);
    return entry.expiresAt > this.#now() ? entry.checks : null;
  }

  #sweep(): void {
    const now = this.#now();
    for (const [state, entry] of this.#entries) {
      if (entry.expiresAt > now) break;
      this.#entries.delete(state);
    }
  }
}
