// AuthnRequests this gateway sent and awaits an answer to, as node-saml's CacheProvider: the
// Response's InResponseTo must name one of them. Bounded in count and age, so anonymous
// /auth/saml/login calls cannot grow memory; node-saml removes an entry once it is answered.
import type { CacheItem, CacheProvider } from '@node-saml/node-saml';

export class PendingRequests implements CacheProvider {
  readonly #entries = new Map<string, CacheItem>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;

  constructor(options: { ttlMs: number; maxEntries: number; now?: () => number }) {
    this.#ttlMs = options.ttlMs;
    this.#max = options.maxEntries;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  async saveAsync(key: string, value: string): Promise<CacheItem | null> {
    this.#sweep();
    if (this.#entries.has(key)) return null;
    // Maps iterate in insertion order: the first key is the oldest request, dropped when full.
    while (this.#entries.size >= this.#max) this.#entries.delete(this.#entries.keys().next().value!);
    const item = { value, createdAt: this.#now() };
    this.#entries.set(key, item);
    return item;
  }

  async getAsync(key: string): Promise<string | null> {
    const item = this.#entries.get(key);
    if (!item) return null;
    if (item.createdAt + this.#ttlMs <= this.#now()) {
      this.#entries.delete(key);
      return null;
    }
    return item.value;
  }

  async removeAsync(key: string | null): Promise<string | null> {
    if (key === null || !this.#entries.delete(key)) return null;
    return key;
  }

  #sweep(): void {
    const now = this.#now();
    for (const [key, item] of this.#entries) {
      if (item.createdAt + this.#ttlMs > now) break;
      this.#entries.delete(key);
    }
  }
}
