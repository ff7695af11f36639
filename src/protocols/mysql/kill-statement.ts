// `KILL` through Vigil. The connection id a client is told is Vigil's own (the client never talks
// to the server's thread directly), so a KILL names one of Vigil's connections: Vigil maps it to
// that connection's server thread instead of letting the server read the number as one of its own
// threads, which would be someone else's. Only the plain forms can be mapped; any other KILL
// (by user, by query id, with an expression) is refused, never forwarded.
import { VigilError } from '../../core/errors.js';
import type { Identity, JsonObject } from '../../core/events.js';
import type { ConnectionIds, KillTarget } from './connection-ids.js';
import { COM } from './constants.js';
import { packet } from './packet-writer.js';
import type { Classification } from './sql-classifier.js';
import type { Token } from './sql-lexer.js';

/** What the server runs in a mapped KILL's place: nothing, answered with an OK of its own. */
export const DO_NOTHING = packet(0, Buffer.from(`${String.fromCharCode(COM.QUERY)}DO 0`, 'latin1'));

export interface KillRequest {
  /** QUERY stops the running statement; CONNECTION (the default) ends the connection. */
  readonly mode: 'query' | 'connection';
  readonly connectionId: number;
}

/** `KILL [HARD|SOFT] [CONNECTION|QUERY] <id>` from the statement's tokens, or null for any other form. */
export function parseKill(tokens: readonly Token[]): KillRequest | null {
  let i = 0;
  if (tokens[i]?.text !== 'kill') return null;
  i++;
  if (tokens[i]?.kind === 'word' && (tokens[i]!.text === 'hard' || tokens[i]!.text === 'soft')) i++;
  let mode: KillRequest['mode'] = 'connection';
  if (tokens[i]?.kind === 'word' && (tokens[i]!.text === 'query' || tokens[i]!.text === 'connection')) {
    mode = tokens[i]!.text as KillRequest['mode'];
    i++;
  }
  const id = tokens[i];
  if (id?.kind !== 'number' || !/^\d{1,10}$/.test(id.text)) return null;
  i++;
  if (i !== tokens.length) return null;
  const connectionId = Number(id.text);
  return connectionId > 0 && connectionId <= 0xffff_ffff ? { mode, connectionId } : null;
}

export type KillPlan =
  | { readonly refusal: VigilError }
  | {
      readonly mode: KillRequest['mode'];
      readonly target: KillTarget;
      /** The db.query payload to judge and record, naming the connection the KILL reaches. */
      readonly payload: JsonObject;
    };

/**
 * What a classified KILL from `caller` does: the connection it reaches, or why it is refused
 * (a form Vigil cannot map, or an id that is not one of the caller's connections).
 */
export function planKill(
  c: Classification,
  payload: JsonObject,
  kills: Pick<ConnectionIds, 'find'>,
  caller: Pick<Identity, 'subject' | 'kind'>,
): KillPlan {
  const request = c.statements.length === 1 ? parseKill(c.tokens[0] ?? []) : null;
  if (!request) {
    const why =
      'KILL through Vigil takes one connection id Vigil gave, alone: KILL [QUERY | CONNECTION] <id>';
    return { refusal: new VigilError('statement_uncertain', why) };
  }
  const target = kills.find(request.connectionId, caller);
  if (!target) {
    const why = `Unknown thread id: ${request.connectionId} (not one of your connections through this gateway)`;
    return { refusal: new VigilError('session_unknown', why) };
  }
  return {
    mode: request.mode,
    target,
    payload: {
      ...payload,
      kill: { mode: request.mode, connection_id: request.connectionId, session: target.sessionId },
    },
  };
}
