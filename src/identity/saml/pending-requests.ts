// AuthnRequests this gateway sent and awaits an answer to, without keeping them: each request's ID
// is sealed (sign-in-states.ts) and carries its own issue time, so the Response's InResponseTo
// opens on any replica. As node-saml's CacheProvider it is stateless: saving keeps nothing, getting
// opens the ID. node-saml also removes an entry on every failure, before any signature is checked,
// so removal marks nothing; `use` marks a request answered, called once a sign-in succeeded.
// Each ID also names the browser that asked for it (a hash of a secret that browser keeps in a
// cookie), so only that browser can bring its answer back (`browserOf`, saml-sign-in.ts).
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import type { CacheItem, CacheProvider } from '@node-saml/node-saml';
import type { SignInStates } from '../sign-in-states.js';

/** Whether a Response's InResponseTo was begun by the browser that posts it. */
export type RequestBrowser = 'same' | 'other' | 'unknown';

export class PendingRequests implements CacheProvider {
  readonly #states: SignInStates;
  readonly #ttlMs: number;
  readonly #now: () => number;
  /** The hash of the browser a request is being built for (node-saml calls `newId` with no arguments). */
  readonly #browser = new AsyncLocalStorage<string>();

  constructor(states: SignInStates, options: { ttlMs: number; now?: () => number }) {
    this.#states = states;
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
  }

  /**
   * node-saml's generateUniqueId: '_' + the sealed issue time and browser, a valid xs:ID (NCName).
   * Outside `forBrowser` the ID names no browser, and its answer is refused (fail closed).
   */
  readonly newId = (): string =>
    `_${this.#states.seal('saml-request', { issuedAt: this.#now(), browser: this.#browser.getStore() ?? null }, this.#ttlMs)}`;

  /** Runs `build` (node-saml building an AuthnRequest) so the request's ID names `browser`, a secret. */
  forBrowser<T>(browser: string, build: () => T): T {
    return this.#browser.run(browserHash(browser), build);
  }

  /**
   * 'same' when the request `key` was begun by the browser holding `browser`; 'other' when it was
   * begun elsewhere (or the secret is missing); 'unknown' when the ID is not a live request of ours,
   * which node-saml refuses as such.
   */
  browserOf(key: string, browser: string | null): RequestBrowser {
    const opened = key.startsWith('_') ? this.#states.open('saml-request', key.slice(1)) : null;
    if (opened === null) return 'unknown';
    const sealed = (opened.value as { browser?: unknown }).browser;
    // Both are hashes of the same length: comparing them leaks nothing about the secret.
    return typeof sealed === 'string' && browser !== null && browser !== '' && sealed === browserHash(browser)
      ? 'same'
      : 'other';
  }

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

/** 128 bits of SHA-256 keep the ID short (identity providers echo it in every Response). */
function browserHash(browser: string): string {
  return createHash('sha256')
    .update('vigil saml browser\u0000')
    .update(browser)
    .digest('base64url')
    .slice(0, 22);
}
