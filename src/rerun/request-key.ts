// What makes two model requests "the same" for a re-run: the API and the canonical JSON of the body
// (keys sorted, so a client that builds its object in another order still matches), model and
// sampling parameters included. `stream` and `stream_options` only choose how the answer travels,
// so they are left out: a streamed recorded call answers a whole request and the reverse.
import { canonicalJson } from '../core/canonical-json.js';
import type { JsonObject, JsonValue } from '../core/events.js';
import type { LlmApi } from '../core/llm-payloads.js';

/** Body fields that change the transport of the answer, never its content. */
export const TRANSPORT_FIELDS: readonly string[] = ['stream', 'stream_options'];

/** The body without its transport-only fields. */
export function contentOf(body: JsonValue): JsonValue {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(body)) if (!TRANSPORT_FIELDS.includes(k)) out[k] = v;
  return out;
}

/** The matching key of a (masked) request: API, path for bodiless calls, canonical content. */
export function requestKey(api: LlmApi, path: string, body: JsonValue): string {
  return `${api} ${body === null ? path : canonicalJson(contentOf(body))}`;
}
