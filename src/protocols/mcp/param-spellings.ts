// Params keys that a case-insensitive server reads as a field Vigil reads by its exact name. Go's
// encoding/json (mark3labs/mcp-go and the servers built on it) fills the field tagged `arguments`
// from a key `ARGUMENTS`, `Arguments` or `argumentſ` when no key is spelled exactly so; Vigil took
// `params.arguments` as absent and judged, recorded and bound a review to the call `run_sql {}`,
// while the server ran the statement those arguments held (until 7 December). JSON-RPC's own keys
// need no such check: Vigil forwards a message rebuilt from the fields it read (jsonrpc.ts toWire).
import { VigilError } from '../../core/errors.js';
import type { JsonValue } from '../../core/events.js';
import { isJsonObject as isObject } from '../../core/json-read.js';
import { foldedKey } from '../../http/json-keys.js';

/**
 * The params fields of the client's requests and notifications (MCP 2025-11-25), and those of the
 * objects inside them that Vigil reads by name: a completion's `ref` (`type`, `name`, `uri`),
 * `argument` (`name`, `value`) and `context` (`arguments`).
 */
const PARAM_FIELDS = [
  '_meta',
  'name',
  'arguments',
  'task',
  'uri',
  'cursor',
  'ref',
  'argument',
  'context',
  'type',
  'value',
  'level',
  'protocolVersion',
  'capabilities',
  'clientInfo',
  'requestId',
  'reason',
  'progressToken',
  'progress',
  'total',
  'message',
];
const FIELD_BY_FOLD: ReadonlyMap<string, string> = new Map(PARAM_FIELDS.map((f) => [foldedKey(f), f]));

/** Objects of the params that Vigil reads fields of by name, besides the params themselves. */
const READ_BY_NAME = ['ref', 'argument', 'context', '_meta'];

/**
 * Refuses params (and their `ref`, `argument`, `context`, `_meta`) holding a key that folds to a
 * field's name without being spelled as it. Arguments themselves are the tool's own and free: Vigil
 * judges every key of them as written, so no spelling of one hides it.
 */
export function assertParamSpellings(params: JsonValue): void {
  if (!isObject(params)) return;
  for (const scope of [params, ...READ_BY_NAME.map((k) => params[k])]) {
    if (!isObject(scope)) continue;
    for (const key of Object.keys(scope)) {
      const field = FIELD_BY_FOLD.get(foldedKey(key));
      if (field !== undefined && field !== key) {
        throw new VigilError(
          'protocol_violation',
          `a params key spelled otherwise than "${field}" is read as ${field} by case-insensitive servers, and cannot be judged as sent`,
          { details: { field } },
        );
      }
    }
  }
}
