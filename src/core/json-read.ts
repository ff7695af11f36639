// Defensive readers for JSON that came from a client (a request body, a recorded payload): what is
// missing or of the wrong shape reads as absent, and nothing throws.
import type { JsonObject, JsonValue } from './events.js';

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asJsonArray(value: JsonValue | undefined): readonly JsonValue[] {
  return Array.isArray(value) ? value : [];
}
