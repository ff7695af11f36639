// Sealed sign-in state that can be used once on whichever replica it reaches: the value travels
// sealed (sealed-state.ts), and its use is marked in the store every replica shares
// (AccessStore.rememberAssertion, atomic), until it would have expired anyway. A flow is marked only
// when it completes, so anonymous requests never write to the store.
import { createHash, type KeyObject } from 'node:crypto';
import type { AccessStore } from '../core/ports.js';
import { type OpenedState, SealedState, type SealPurpose } from './sealed-state.js';

export type UsedMarkerStore = Pick<AccessStore, 'rememberAssertion' | 'assertionUsed'>;

export class SignInStates {
  readonly #sealed: SealedState;
  readonly #store: UsedMarkerStore;
  readonly #now: () => number;

  constructor(sealed: SealedState, store: UsedMarkerStore, now: () => number = Date.now) {
    this.#sealed = sealed;
    this.#store = store;
    this.#now = now;
  }

  /** What every replica builds alike: the key derived from the shared token signing key. */
  static forReplicas(signingKey: KeyObject, store: UsedMarkerStore): SignInStates {
    return new SignInStates(SealedState.fromSigningKey(signingKey), store);
  }

  seal(purpose: SealPurpose, value: unknown, ttlMs: number): string {
    return this.#sealed.seal(purpose, value, ttlMs);
  }

  /** The value, if the state is authentic, for this purpose and unexpired (used or not). */
  open(purpose: SealPurpose, sealed: string): OpenedState | null {
    return this.#sealed.open(purpose, sealed);
  }

  /** An early answer for an opened state; `markUsed` is the one that counts. */
  used(purpose: SealPurpose, sealed: string): Promise<boolean> {
    return this.#store.assertionUsed(markerKey(purpose, sealed), iso(this.#now()));
  }

  /** Marks an opened state used until it expires; false if it already was (here or elsewhere). */
  markUsed(purpose: SealPurpose, sealed: string, opened: OpenedState): Promise<boolean> {
    return this.#store.rememberAssertion(markerKey(purpose, sealed), iso(opened.expiresAt), iso(this.#now()));
  }

  /**
   * Marks a credential spent (an id_token: key and lifetime from id-token-once.ts) until `untilMs`;
   * false if it already was, here or on another replica.
   */
  spend(key: string, untilMs: number): Promise<boolean> {
    return this.#store.rememberAssertion(key, iso(untilMs), iso(this.#now()));
  }

  /** Opens and marks in one step: the value the first time, null for anything else. */
  async take(purpose: SealPurpose, sealed: string): Promise<OpenedState | null> {
    const opened = this.open(purpose, sealed);
    if (opened === null) return null;
    return (await this.markUsed(purpose, sealed, opened)) ? opened : null;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Hashed: the store keeps a fixed-size key, never the sealed value (a CLI code holds a token). */
function markerKey(purpose: SealPurpose, sealed: string): string {
  return createHash('sha256')
    .update('vigil sign-in state\u0000')
    .update(purpose)
    .update('\u0000')
    .update(sealed)
    .digest('hex');
}
