// Reads and parses a JSON request body for any HTTP entry point (model traffic, admin API, sign-in).
// The depth is checked first, so nothing recursive runs on a hostile body; and a syntax error is
// reported by position and a generic reason only, because the parser's own message quotes the input
// around the fault, and that quote (a fragment of a key, a password) would otherwise reach the ledger
// and logs.
import type { IncomingMessage } from 'node:http';
import { VigilError } from '../core/errors.js';
import type { JsonObject, JsonValue } from '../core/events.js';
import { assertJsonDepth, MAX_JSON_DEPTH } from './json-depth.js';
import { assertUnambiguousKeys } from './json-keys.js';
import { readRequestBody } from './read-body.js';

export function parseJsonBody(raw: Uint8Array, maxDepth = MAX_JSON_DEPTH): JsonValue {
  if (raw.length === 0)
    throw new VigilError('body_invalid_json', 'the request body is empty; a JSON object is expected');
  assertJsonDepth(raw, maxDepth);
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
  try {
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    throw invalidJson(err, text.length);
  }
}

/**
 * A client's JSON body that Vigil will judge and forward: parsed as parseJsonBody does, and refused
 * when its keys could mean something else to the upstream (json-keys.ts).
 */
export function parseClientJson(raw: Uint8Array): JsonValue {
  const value = parseJsonBody(raw);
  assertUnambiguousKeys(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), value);
  return value;
}

/** A body_invalid_json error that carries where the parser stopped, never what it read there. */
function invalidJson(err: unknown, length: number): VigilError {
  const parserMessage = err instanceof Error ? err.message : '';
  // Only the digits of V8's "at position N" are taken from its message.
  const at = /\bat position (\d+)\b/.exec(parserMessage);
  const position = at ? Number(at[1]) : /^Unexpected end of JSON input$/.test(parserMessage) ? length : null;
  const where = position === null ? '' : ` at character ${position}`;
  return new VigilError('body_invalid_json', `the request body is not valid JSON${where}`, {
    details: position === null ? {} : { position },
  });
}

/**
 * A request body that must be a JSON object; an empty body is {}. Refused (body_too_large,
 * body_too_deep, body_invalid_json) before the caller sees it, with messages that never quote it.
 */
export async function readJsonObject(req: IncomingMessage, maxBytes: number): Promise<JsonObject> {
  const raw = await readRequestBody(req, maxBytes);
  if (raw.length === 0) return {};
  const parsed = parseJsonBody(raw);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new VigilError('body_invalid_json', 'the request body must be a JSON object');
  }
  return parsed;
}
