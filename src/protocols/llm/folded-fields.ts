// A request's fields as a server that matches names ignoring case finds them. Go's encoding/json,
// behind Ollama's and LocalAI's OpenAI-compatible APIs among others, fills the field tagged `tools`
// from a key `TOOLS` or `Tools`, and `name` from `Name`, when no key is spelled exactly so (two
// spellings in one object are refused before this: src/http/json-keys.ts). Policy reads such a
// request's tools, parts and encoded files under any spelling (action-facts.ts): it read them by
// their exact names only, so `{"TOOLS": [{"type": "function", "function": {"Name": "shell"}}]}`
// offered Ollama's model a tool a rule denied (until 7 December).
import type { JsonObject } from '../../core/events.js';
import { foldedKey } from '../../http/json-keys.js';

/** A key every reader reads alike: the APIs' own keys are lower-case ASCII. */
const PLAIN = /^[a-z0-9_]*$/;

/** A key as a case-insensitive server matches it against a field's name. */
export function foldedName(key: string): string {
  return PLAIN.test(key) ? key : foldedKey(key);
}

/**
 * The object with its keys folded (foldedName), for looking fields up by name: the object itself
 * when every key is plain already, as in nearly every request. Its values are the object's own.
 */
export function foldedFields(value: JsonObject): JsonObject {
  const keys = Object.keys(value);
  if (keys.every((k) => PLAIN.test(k))) return value;
  // No prototype: a key folded to `__proto__` is a key here too.
  const out = Object.create(null) as JsonObject;
  for (const key of keys) {
    const name = foldedName(key);
    if (!Object.hasOwn(out, name)) out[name] = value[key]!;
  }
  return out;
}
