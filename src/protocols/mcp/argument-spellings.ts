// Argument keys that a case-insensitive server reads as a property its tool declares. Go's
// encoding/json fills a struct field tagged `path` from a key `PATH`, `Path` or `paTh` (and
// `argumentſ` for `arguments`: it folds case the Unicode way), and mark3labs/mcp-go binds a typed
// tool's arguments with it. A rule written against the property as the tool's schema spells it
// (`"path":"(?!/tmp/)`, docs/mcp.md) never saw `"PATH":"/etc/cron.d/job"`, so such a call was
// judged allowed, recorded, and the server wrote to /etc (until 7 December:
// test/mcp/attacker-argument-spellings.test.ts). A call whose arguments hold a key that folds to a
// property name of the tool's approved input schema without being spelled as it is refused: a
// client that reads the schema never writes one. Keys no schema property folds to are the
// tool's own business and pass as written.
import { VigilError } from '../../core/errors.js';
import type { JsonObject, JsonValue } from '../../core/events.js';
import { isJsonObject as isObject } from '../../core/json-read.js';
import { foldedKey } from '../../http/json-keys.js';

/**
 * Every property name the schema declares, at any depth (nested objects, array items, `$defs`,
 * `anyOf` branches): a key is checked against all of them wherever it sits in the arguments, since
 * following `$ref` and combinators exactly as each validator does is not needed to fail closed.
 */
function declaredProperties(schema: JsonValue | undefined): Set<string> {
  const names = new Set<string>();
  const stack: JsonValue[] = schema === undefined ? [] : [schema];
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (Array.isArray(v)) {
      for (const item of v) if (typeof item === 'object' && item !== null) stack.push(item);
      continue;
    }
    if (!isObject(v)) continue;
    if (isObject(v.properties)) for (const name of Object.keys(v.properties)) names.add(name);
    for (const child of Object.values(v)) if (typeof child === 'object' && child !== null) stack.push(child);
  }
  return names;
}

/**
 * A protocol_violation when `args` holds, at any depth, a key that folds to a property the approved
 * `inputSchema` declares without being spelled as it is; else null.
 */
export function misspeltArgument(
  args: JsonObject,
  definition: JsonObject | null | undefined,
): VigilError | null {
  const declared = declaredProperties(definition?.inputSchema);
  if (declared.size === 0) return null;
  const byFold = new Map([...declared].map((name) => [foldedKey(name), name]));
  const stack: JsonValue[] = [args];
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (Array.isArray(v)) {
      for (const item of v) if (typeof item === 'object' && item !== null) stack.push(item);
      continue;
    }
    if (!isObject(v)) continue;
    for (const [key, child] of Object.entries(v)) {
      const property = declared.has(key) ? undefined : byFold.get(foldedKey(key));
      if (property !== undefined) {
        return new VigilError(
          'protocol_violation',
          `an argument key spelled otherwise than the tool's property "${property}" is read as it by case-insensitive servers, and cannot be judged as sent`,
          { details: { property } },
        );
      }
      if (typeof child === 'object' && child !== null) stack.push(child);
    }
  }
  return null;
}
