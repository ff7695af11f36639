// Housekeeping a client asks of the server, forwarded without a record of its own: it runs nothing
// and names nothing a rule could judge.
import type { JsonObject } from '../../core/events.js';
import type { JsonRpcMessage } from './jsonrpc.js';

/**
 * Methods forwarded without a record of their own: housekeeping that runs nothing and names
 * nothing a rule could judge, each with the params it defines. Params go to the server as sent, so one of these
 * carrying anything else (a `note`, a `_meta`) was a channel to the target no record showed
 * (test/mcp/attacker-deep-passthrough.test.ts): it is refused instead.
 */
export const PASSTHROUGH: ReadonlyMap<string, (params: JsonObject) => boolean> = new Map([
  ['ping', (p: JsonObject) => Object.keys(p).length === 0],
  ['logging/setLevel', (p: JsonObject) => onlyKeys(p, ['level']) && LOG_LEVELS.has(p.level as string)],
]);

/** RFC 5424's levels, the only values of logging/setLevel's `level`. */
const LOG_LEVELS = new Set(['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency']);

function onlyKeys(params: JsonObject, keys: readonly string[]): boolean {
  return Object.keys(params).every((k) => keys.includes(k));
}

/**
 * Whether a housekeeping answer says anything beyond the usual empty result (a `_meta`, a field of
 * its own, an error's message): such an answer is recorded, as a listing is.
 */
export function saysSomething(answer: JsonRpcMessage): boolean {
  return !(answer.kind === 'response' && Object.keys(answer.result).length === 0);
}
