// Keys that different JSON parsers read differently. JSON.parse keeps the last of two equal keys in
// one object; some parsers keep the first, and Go's encoding/json (Ollama, many OpenAI-compatible
// and MCP servers) matches struct fields ignoring case, so `"model"` and `"MODEL"`, or a tool call's
// `"name"` and `"NAME"`, are one field to it and two to Vigil; so are `"messages"` and
// `"meſſages"`, since it folds case by Unicode's upper-casing. A client body Vigil judges, masks and
// records must mean one thing to every upstream, so a body with either is refused.
import { VigilError } from '../core/errors.js';
import type { JsonValue } from '../core/events.js';
import { closingQuote } from './json-depth.js';

const QUOTE = 0x22;
const COLON = 0x3a;
const BACKSLASH = 0x5c;

/**
 * How many object keys a JSON text writes (strings followed by a colon), duplicates included. A
 * streamed event's data is counted as the string it was read as, not encoded to bytes again: the
 * quotes, backslashes, colons and whitespace that decide the count are ASCII, and UTF-16 spells no
 * other character with one of those code units, so both spellings of a text count alike.
 */
export function writtenKeyCount(json: Buffer | string): number {
  return typeof json === 'string' ? keysInString(json) : keysInBytes(json);
}

function keysInBytes(bytes: Buffer): number {
  let keys = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== QUOTE) continue;
    i = closingQuote(bytes, i + 1);
    let j = i + 1;
    // JSON whitespace: space, tab, LF, CR.
    while (bytes[j] === 0x20 || bytes[j] === 0x09 || bytes[j] === 0x0a || bytes[j] === 0x0d) j++;
    if (bytes[j] === COLON) keys++;
  }
  return keys;
}

function keysInString(text: string): number {
  let keys = 0;
  for (let i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i + 1)) {
    i = closingQuoteIn(text, i + 1);
    let j = i + 1;
    let c = text.charCodeAt(j);
    while (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) c = text.charCodeAt(++j);
    if (c === COLON) keys++;
  }
  return keys;
}

/** closingQuote (json-depth.ts) over a string: escaped exactly when an odd run of backslashes precedes it. */
function closingQuoteIn(text: string, from: number): number {
  let at = from;
  for (;;) {
    const quote = text.indexOf('"', at);
    if (quote < 0) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(quote - backslashes - 1) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    at = quote + 1;
  }
}

/**
 * Keys whose every character is ASCII other than A-Z (nearly every key a model API writes): among
 * such keys, which are distinct, lower-casing changes nothing and upper-casing maps no two to one,
 * so they cannot collide by case and the folding below is skipped for them.
 */
const NO_CASE_COLLISION = /^[^A-Z\u0080-\uffff]*$/;

/**
 * A key as a case-insensitive reader matches it against the names it knows: Go's encoding/json
 * folds case the Unicode way, so `ARGUMENTS`, `Arguments` and `argumentſ` (long s) all fill a field
 * tagged `arguments` there. Upper-casing first folds `ſ` to `S` and `ı` to `I`, lower-casing then
 * folds the Kelvin sign to `k`.
 */
export function foldedKey(key: string): string {
  return key.toUpperCase().toLowerCase();
}

function ambiguous(): VigilError {
  return new VigilError(
    'body_invalid_json',
    'the request body has a key twice in one object, or two keys that differ only in case, which upstreams read differently',
    { details: { reason: 'ambiguous_keys' } },
  );
}

/** Throws body_invalid_json when `raw` (already parsed as `value`) has duplicate or case-variant keys. */
export function assertUnambiguousKeys(raw: Buffer | string, value: JsonValue): void {
  let parsedKeys = 0;
  const stack: JsonValue[] = [value];
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (Array.isArray(v)) {
      for (const item of v) if (typeof item === 'object' && item !== null) stack.push(item);
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    const keys = Object.keys(v);
    parsedKeys += keys.length;
    if (keys.length > 1 && !keys.every((key) => NO_CASE_COLLISION.test(key))) {
      // Go folds a key by upper-casing each letter, so `ſ` (long s) is `S` and `ı` (dotless i) is
      // `I` to it: `meſſages` is `messages`. Lower case catches the Kelvin sign (`K` is `k`).
      const lower = new Set<string>();
      const upper = new Set<string>();
      for (const key of keys) {
        lower.add(key.toLowerCase());
        upper.add(key.toUpperCase());
      }
      if (lower.size !== keys.length || upper.size !== keys.length) throw ambiguous();
    }
    for (const key of keys) {
      const child = v[key]!;
      if (typeof child === 'object' && child !== null) stack.push(child);
    }
  }
  // JSON.parse keeps one of two equal keys, so the text writes more keys than the value holds.
  if (writtenKeyCount(raw) !== parsedKeys) throw ambiguous();
}
