// Bearer tokens whose signature and claims were verified, remembered until they expire, so a client
// that sends the same token with every request (an SDK, an MCP client, an agent) pays for one
// signature check rather than one per request: an EdDSA check through jose costs about 0.25 ms of
// CPU on the gateway, more than the rest of admission. Only the verification is remembered:
// revocation, disabled identities and SCIM deactivation are still checked on every request by the
// authenticator. An entry is reused for at most `maxReuseMs`, so a provider's key withdrawn from its
// JWKS stops being trusted soon after even for tokens that have not expired. Entries are keyed by the
// SHA-256 of the token, so the map holds nothing a heap dump could replay.
import { hash } from 'node:crypto';

export interface VerifiedTokenCacheOptions {
  /** Entries kept at most (the least recently used goes first); 0 turns the cache off. */
  readonly max?: number;
  readonly maxReuseMs?: number;
}

interface Entry<T> {
  readonly value: T;
  readonly until: number;
}

export class VerifiedTokenCache<T> {
  readonly #entries = new Map<string, Entry<T>>();
  readonly #max: number;
  readonly #maxReuseMs: number;

  constructor(options: VerifiedTokenCacheOptions = {}) {
    this.#max = options.max ?? 10_000;
    this.#maxReuseMs = options.maxReuseMs ?? 5 * 60_000;
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * The remembered value for `token` while it is valid at `now`; otherwise `verify()` (which throws
   * for a token it refuses: refusals are never remembered) and the value is kept until
   * `expiresAt(value)` or the reuse limit, whichever is sooner.
   */
  async verified(
    token: string,
    now: number,
    verify: () => Promise<T>,
    expiresAt: (value: T) => number,
  ): Promise<T> {
    if (this.#max === 0) return verify();
    const key = hash('sha256', token, 'base64');
    const hit = this.#entries.get(key);
    if (hit !== undefined) {
      this.#entries.delete(key);
      if (now < hit.until) {
        this.#entries.set(key, hit);
        return hit.value;
      }
    }
    const value = await verify();
    const until = Math.min(expiresAt(value), now + this.#maxReuseMs);
    if (until > now) {
      this.#entries.set(key, { value, until });
      if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
    }
    return value;
  }
}
