// `KILL` through Vigil. The connection id a client is told is Vigil's own (the client never talks
// to the server's thread directly), so a KILL names one of Vigil's connections: Vigil maps it to
// that connection's server thread instead of letting the server read the number as one of its own
// threads, which would be someone else's. Only the plain forms can be mapped; any other KILL
// (by user, by query id, with an expression) is refused, never forwarded.
import type { Token } from './sql-lexer.js';

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
