// How deeply a JSON text nests, found by one pass over its bytes without parsing or recursion, so
// a body can be refused for its depth before a parser, masker or canonical encoder (all of which
// walk values recursively) ever sees it.
import { VigilError } from '../core/errors.js';

/**
 * The deepest nesting of arrays and objects Vigil accepts in a JSON body. 128 is serde_json's
 * default recursion limit and far beyond real requests (model APIs cap structured-output schemas at
 * a few levels; a chat body with tools rarely passes 15), yet far below where the recursive walks
 * over recorded payloads run out of stack (thousands of levels), with room for the levels an event
 * adds around the body.
 */
export const MAX_JSON_DEPTH = 128;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * The greatest number of arrays and objects open at once in `json` (0 for a scalar). Brackets inside
 * strings do not count, and an escaped quote does not end a string. Scanning bytes is safe for UTF-8
 * because every byte of a multi-byte character is >= 0x80, so none looks like a quote, a backslash or
 * a bracket. Invalid JSON gets a number too (unbalanced closers never take it below 0); deciding
 * validity is the parser's job. Counting stops as soon as the depth passes `stopAbove`.
 */
export function jsonNestingDepth(json: Uint8Array | string, stopAbove = Number.POSITIVE_INFINITY): number {
  const bytes =
    typeof json === 'string'
      ? Buffer.from(json, 'utf8')
      : Buffer.isBuffer(json)
        ? json
        : Buffer.from(json.buffer, json.byteOffset, json.byteLength);
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte === QUOTE) {
      i = closingQuote(bytes, i + 1);
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > stopAbove) return deepest;
      }
    } else if ((byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) && depth > 0) {
      depth--;
    }
  }
  return deepest;
}

/**
 * Where the string whose text starts at `from` ends: its closing quote, or the end of the input.
 * Strings hold most of a model request's bytes, so they are crossed with `indexOf` (memchr) rather
 * than byte by byte (a tenth of the time on a 74 KB chat body). A quote is escaped exactly when an
 * odd number of backslashes stand right before it: inside a string every backslash escapes the
 * byte after it, so a run of them pairs up from its start.
 */
export function closingQuote(bytes: Buffer, from: number): number {
  let at = from;
  for (;;) {
    const quote = bytes.indexOf(QUOTE, at);
    if (quote < 0) return bytes.length;
    let backslashes = 0;
    // The opening quote, just before `from`, ends the count at the latest.
    while (bytes[quote - backslashes - 1] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    at = quote + 1;
  }
}

/** Throws body_too_deep when `json` nests deeper than `limit`; the message names only the limit. */
export function assertJsonDepth(json: Uint8Array | string, limit = MAX_JSON_DEPTH): void {
  if (jsonNestingDepth(json, limit) > limit) {
    throw new VigilError(
      'body_too_deep',
      `the request body nests arrays and objects deeper than ${limit} levels`,
      {
        details: { limit },
      },
    );
  }
}
