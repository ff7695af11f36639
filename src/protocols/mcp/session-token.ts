// The Mcp-Session-Id Vigil gives a client carries what any replica needs to serve the session, so
// no replica keeps essential session state only in memory: the upstream's own session id (an HTTP
// upstream keeps its state itself), the negotiated protocol version, and the client's initialize
// parameters (a stdio upstream that this replica has not spawned yet is started and initialized
// again with them). It is bound to the caller's subject: another identity presenting it is told the
// session does not exist. It holds nothing secret; the caller authenticates on every request anyway.
import { randomBytes } from 'node:crypto';
import type { JsonObject } from '../../core/events.js';

export interface McpSessionState {
  /** Random, names the ledger session grouping this MCP session's requests on a replica. */
  readonly nonce: string;
  readonly subject: string;
  readonly upstreamSessionId: string | null;
  readonly protocolVersion: string;
  /** The client's initialize params (capabilities, clientInfo), for re-initializing a stdio upstream. */
  readonly initialize: JsonObject;
}

const PREFIX = 'v1.';
/** Session ids must be visible ASCII (MCP transport spec); base64url is. Capped so a header stays small. */
const MAX_LENGTH = 8192;

export function newNonce(): string {
  return randomBytes(12).toString('base64url');
}

export function encodeSessionToken(state: McpSessionState): string {
  const token =
    PREFIX +
    Buffer.from(
      JSON.stringify({
        n: state.nonce,
        s: state.subject,
        u: state.upstreamSessionId,
        v: state.protocolVersion,
        i: state.initialize,
      }),
    ).toString('base64url');
  return token.length <= MAX_LENGTH ? token : encodeSessionToken({ ...state, initialize: {} });
}

/** The state a token carries, or null for anything that is not one of Vigil's (the client then re-initializes). */
export function decodeSessionToken(token: string): McpSessionState | null {
  if (!token.startsWith(PREFIX) || token.length > MAX_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token.slice(3))) {
    return null;
  }
  try {
    const v = JSON.parse(Buffer.from(token.slice(PREFIX.length), 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    if (
      typeof v.n !== 'string' ||
      typeof v.s !== 'string' ||
      !(v.u === null || typeof v.u === 'string') ||
      typeof v.v !== 'string' ||
      typeof v.i !== 'object' ||
      v.i === null ||
      Array.isArray(v.i)
    ) {
      return null;
    }
    return {
      nonce: v.n,
      subject: v.s,
      upstreamSessionId: v.u,
      protocolVersion: v.v,
      initialize: v.i as JsonObject,
    };
  } catch {
    return null;
  }
}
