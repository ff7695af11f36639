// Session ids as they come back on every request of a session, decoded once. Decoding is a pure
// function of the token and the connection's key (the MAC checked, then base64url and JSON), so reusing an earlier decode cannot
// change what a request is allowed: the caller is still authenticated on every request and the
// state's subject still compared with that identity. Only well-formed tokens are kept, and at most
// `capacity` of them (the least recently used goes first), so garbage sent as session ids neither
// evicts live sessions' entries wholesale nor grows memory. A cached state is frozen: one request
// must not change what the next one reads.
import { decodeSessionToken, type McpSessionState } from './session-token.js';

export class SessionTokenCache {
  readonly #key: Uint8Array;
  readonly #capacity: number;
  readonly #decoded = new Map<string, McpSessionState>();

  constructor(key: Uint8Array, capacity = 1024) {
    this.#key = key;
    this.#capacity = capacity;
  }

  decode(token: string): McpSessionState | null {
    const hit = this.#decoded.get(token);
    if (hit) {
      // Map order is insertion order: re-inserting marks the entry as the most recently used.
      this.#decoded.delete(token);
      this.#decoded.set(token, hit);
      return hit;
    }
    const state = decodeSessionToken(token, this.#key);
    if (state === null) return null;
    const frozen = Object.freeze({ ...state, initialize: deepFreeze(state.initialize) });
    this.#decoded.set(token, frozen);
    if (this.#decoded.size > this.#capacity) this.#decoded.delete(this.#decoded.keys().next().value!);
    return frozen;
  }

  get size(): number {
    return this.#decoded.size;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
