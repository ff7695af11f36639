// AuthnRequests this gateway sent and awaits an answer to, without keeping them: each request's ID
// is sealed (sign-in-states.ts) and carries its own issue time, so the Response's InResponseTo
// opens on any replica. As node-saml's CacheProvider it is stateless: saving keeps nothing, getting
// opens the ID. node-saml also removes an entry on every failure, before any signature is checked,
// so removal marks nothing; `use` marks a request answered, called once a sign-in succeeded.
import type { CacheItem, CacheProvider } from '@node-saml/node-saml';
import type { SignInStates } from '../sign-in-states.js';

export class PendingRequests implements CacheProvider {
  readonly #states: SignInStates;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(states: SignInStates, options: { ttlMs: number; now?: () => number }) {
    this.#states = states;
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
  }

  /** node-saml's generateUniqueId: '_' + the sealed issue time, a valid xs:ID (NCName). */
  readonly newId = (): string =>
    `_${this.#states.seal('saml-request', { issuedAt: this.#now() }, this.#ttlMs)}`;

  async saveAsync(_key: string, value: string): Promise<CacheItem | null> {
    return { value, createdAt: this.#now() };
  }

  /** The request's issue instant (node-saml checks its age), or null: forged, expired or answered. */
  async getAsync(key: string): Promise<string | null> {
    const issuedAt = this.#issuedAt(key);
    if (issuedAt === null || (await this.#states.used('saml-request', key.slice(1)))) return null;
    return new Date(issuedAt).toISOString();
  }

  async removeAsync(key: string | null): Promise<string | null> {
    return key;
  }

  /** Marks the request answered; false if it was not ours, expired, or answered already. */
  async use(key: string): Promise<boolean> {
    if (!key.startsWith('_')) return false;
    const opened = this.#states.open('saml-request', key.slice(1));
    return opened !== null && this.#states.markUsed('saml-request', key.slice(1), opened);
  }

  #issuedAt(key: string): number | null {
    if (!key.startsWith('_')) return null;
    const opened = this.#states.open('saml-request', key.slice(1));
    const issuedAt = (opened?.value as { issuedAt?: unknown } | undefined)?.issuedAt;
    return typeof issuedAt === 'number' ? issuedAt : null;
  }
}
