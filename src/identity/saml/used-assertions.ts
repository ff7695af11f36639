// Assertions already used to sign in, remembered until they could no longer be accepted anyway
// (their last NotOnOrAfter plus the clock skew), so a captured Response cannot be posted twice. Kept
// in the store (AccessStore.rememberAssertion), which every replica shares and a restart keeps: one
// Response posted to two replicas, or to one before and after a restart, signs in once.
import { createHash } from 'node:crypto';
import type { AccessStore } from '../../core/ports.js';

export type UsedAssertionStore = Pick<AccessStore, 'rememberAssertion' | 'assertionUsed'>;

export class UsedAssertions {
  readonly #store: UsedAssertionStore;
  readonly #now: () => number;

  constructor(store: UsedAssertionStore, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
  }

  /** An early answer, before the Response's signature is checked; `use` is the one that counts. */
  has(issuer: string, assertionId: string): Promise<boolean> {
    return this.#store.assertionUsed(keyOf(issuer, assertionId), iso(this.#now()));
  }

  /** Remembers the assertion; false if it was already used (here or on another replica). */
  use(issuer: string, assertionId: string, untilMs: number): Promise<boolean> {
    return this.#store.rememberAssertion(keyOf(issuer, assertionId), iso(untilMs), iso(this.#now()));
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Hashed, so whatever an identity provider puts in an ID is never stored as it came. */
function keyOf(issuer: string, assertionId: string): string {
  return createHash('sha256').update(issuer).update('\u0000').update(assertionId).digest('hex');
}
