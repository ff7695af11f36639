// MCP sessions their clients ended (DELETE). A session id is authenticated but carries no expiry,
// and any replica serves it from what it carries (session-token.ts): nothing remembered that a
// session was over, so its id presented again brought it back. With a stdio upstream the next
// request spawned a fresh process, initialized it with the session's params and ran the call in the
// ended session's name; with an HTTP upstream the call was recorded and forwarded before the
// upstream refused it (until 7 December; test/mcp/attacker-ended-sessions.test.ts). Whoever held
// the id (a log, a proxy, the client's own leftover state) could do that for as long as the
// gateway's key lived.
//
// Each ending is kept in the store (module state, namespace `mcp-ended-sessions/<connection>`, one
// small record per session, keyed by its nonce), so every replica refuses the id. A replica
// remembers what it learnt: an ended session at once, and a live one for a second, so an ending
// made through another replica counts there within a second and a busy session costs at most one
// store read a second.
import type { ModuleStateStore } from '../../core/ports.js';

/** How long a replica trusts that a session was not ended, before it asks the store again. */
const LIVE_FOR_MS = 1000;
/** How many sessions a replica remembers either way; the oldest are read from the store again. */
const REMEMBERED = 4096;

export class EndedSessions {
  readonly #state: ModuleStateStore;
  readonly #namespace: string;
  readonly #ended = new Set<string>();
  /** Nonce → when the store last said the session was not ended. */
  readonly #live = new Map<string, number>();
  readonly #now: () => number;

  constructor(state: ModuleStateStore, connection: string, now: () => number = Date.now) {
    this.#state = state;
    this.#namespace = `mcp-ended-sessions/${connection}`;
    this.#now = now;
  }

  /** Records the session as ended, in the store first: no replica may serve it afterwards. */
  async end(nonce: string): Promise<void> {
    await this.#state.put(this.#namespace, nonce, { ended_at: new Date(this.#now()).toISOString() });
    this.#remember(nonce);
  }

  /** Whether the session was ended (rejects when the store cannot say: the caller fails closed). */
  async isEnded(nonce: string): Promise<boolean> {
    if (this.#ended.has(nonce)) return true;
    const checked = this.#live.get(nonce);
    if (checked !== undefined && this.#now() - checked < LIVE_FOR_MS) return false;
    const record = await this.#state.get(this.#namespace, nonce);
    if (record !== null) {
      this.#remember(nonce);
      return true;
    }
    this.#live.delete(nonce);
    this.#live.set(nonce, this.#now());
    if (this.#live.size > REMEMBERED) this.#live.delete(this.#live.keys().next().value!);
    return false;
  }

  /** Whether this replica knows the session was ended, without asking the store. */
  endedHere(nonce: string): boolean {
    return this.#ended.has(nonce);
  }

  #remember(nonce: string): void {
    this.#live.delete(nonce);
    this.#ended.add(nonce);
    if (this.#ended.size > REMEMBERED) this.#ended.delete(this.#ended.values().next().value!);
  }
}
