// The ids of a session's requests that have not been answered yet, on this replica. A client may not
// reuse one (JSON-RPC; MCP: an id is never reused within a session), and a server that keys its
// streams by id may answer the earlier request on the later request's stream: Vigil would then
// record, and the client get, one call's result as the other's. A second request with an id that is
// in flight is refused instead. Ids are compared as text, so 1 and "1" are the same id here: a
// server that keys by text would mix them up too.
//
// An id whose request was forwarded and never answered (the client left, or Vigil gave up: the
// upstream timed out or broke mid-answer) stays taken: the upstream may still be running that
// request and answer it later, on whichever stream then carries the id. Until 6 December the id was
// free again at once, and a call sent next with it got, and was recorded with, the abandoned
// call's result (test/mcp/attacker-abandoned-ids.test.ts). Abandoned ids are rare; the oldest are
// forgotten past a bound, so a client cannot grow this without limit.
import type { JsonRpcId } from './jsonrpc.js';

/** How many abandoned ids a connection keeps taken (across its sessions) before the oldest is freed. */
const MAX_ABANDONED = 10_000;

export class InFlightIds {
  readonly #ids = new Set<string>();
  /** Abandoned ids, oldest first (a Set keeps insertion order). */
  readonly #abandoned = new Set<string>();

  /**
   * Marks `id` of the session `key` in flight; returns its release, or null if it is taken. The
   * release is told whether the request was forwarded and left unanswered (the id then stays taken).
   */
  claim(key: string, id: JsonRpcId): ((abandoned?: boolean) => void) | null {
    const entry = `${key}\u0000${String(id)}`;
    if (this.#ids.has(entry) || this.#abandoned.has(entry)) return null;
    this.#ids.add(entry);
    return (abandoned = false) => {
      this.#ids.delete(entry);
      if (!abandoned) return;
      this.#abandoned.add(entry);
      if (this.#abandoned.size > MAX_ABANDONED) {
        this.#abandoned.delete(this.#abandoned.values().next().value!);
      }
    };
  }
}
