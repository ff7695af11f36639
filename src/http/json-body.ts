// Parses a JSON request body for any HTTP entry point (model traffic, admin API, sign-in). The depth
// is checked first, so nothing recursive runs on a hostile body; and a syntax error is reported by
// position and a generic reason only, because the parser's own message quotes the input around the
// fault, and that quote (a fragment of a key, a password) would otherwise reach the ledger and logs.
import { VigilError } from '../core/errors.js';
import type { JsonValue } from '../core/events.js';
import { assertJsonDepth, MAX_JSON_DEPTH } from './json-depth.js';

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
