// The ids of a session's requests that have not been answered yet, on this replica. A client may not
// reuse one (JSON-RPC; MCP: an id is never reused within a session), and a server that keys its
// streams by id may answer the earlier request on the later request's stream: Vigil would then
// record, and the client get, one call's result as the other's. A second request with an id that is
// in flight is refused instead. Ids are compared as text, so 1 and "1" are the same id here: a
// server that keys by text would mix them up too.
import type { JsonRpcId } from './jsonrpc.js';

export class InFlightIds {
  readonly #ids = new Set<string>();

  /** Marks `id` of the session `key` in flight; returns its release, or null if it already was. */
  claim(key: string, id: JsonRpcId): (() => void) | null {
    const entry = `${key}\u0000${String(id)}`;
    if (this.#ids.has(entry)) return null;
    this.#ids.add(entry);
    return () => {
      this.#ids.delete(entry);
    };
  }
}
