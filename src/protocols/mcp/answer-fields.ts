// What of a server's answer its record does not hold in fields of its own. An answer reaches the
// client whole (a result's `_meta`, a field of a later revision, a value of another shape than the
// record keeps), so whatever a record picks out of it, the rest is recorded beside it: the client,
// and so its model, is never shown a field of an answer that the ledger lacks.
import type { JsonObject, JsonValue } from '../../core/events.js';

/** The fields `recorded` does not claim, or null when there are none. */
export function fieldsBeyond(
  result: JsonObject,
  recorded: (key: string, value: JsonValue) => boolean,
): JsonObject | null {
  const rest = Object.entries(result).filter(([key, value]) => !recorded(key, value));
  return rest.length > 0 ? Object.fromEntries(rest) : null;
}
