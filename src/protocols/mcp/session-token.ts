// The Mcp-Session-Id Vigil gives a client carries what any replica needs to serve the session, so
// no replica keeps essential session state only in memory: the upstream's own session id (an HTTP
// upstream keeps its state itself), the negotiated protocol version, and the client's initialize
// parameters (a stdio upstream that this replica has not spawned yet is started and initialized
// again with them). It is bound to the caller's identity, kind and subject (the user `deploy` and the
// service account `deploy` are two holders): another identity presenting it is told the session does
// not exist; an id made before the kind was bound is unknown too, and its client initializes again.
// It holds nothing secret; the caller authenticates on every request anyway.
// It is authenticated, though (HMAC-SHA256 under the connection's session key, shared by every
// replica through the store): its contents decide which upstream session a request reaches, and a
// client that could edit them would name another user's upstream session or stdio process with its
// own subject.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { IDENTITY_KINDS, type IdentityKind, type JsonObject } from '../../core/events.js';

export interface McpSessionState {
  /** Random, names the ledger session grouping this MCP session's requests on a replica. */
  readonly nonce: string;
  readonly subject: string;
  readonly kind: IdentityKind;
  readonly upstreamSessionId: string | null;
  readonly protocolVersion: string;
  /** The client's initialize params (capabilities, clientInfo), for re-initializing a stdio upstream. */
  readonly initialize: JsonObject;
}

/** v1 ids (unauthenticated) are no longer accepted: their clients are told to initialize again. */
const PREFIX = 'v2.';
/** Session ids must be visible ASCII (MCP transport spec); base64url is. Capped so a header stays small. */
const MAX_LENGTH = 8192;

export function newNonce(): string {
  return randomBytes(12).toString('base64url');
}

function mac(key: Uint8Array, payload: string): string {
  return createHmac('sha256', key).update(PREFIX).update(payload).digest('base64url');
}

export function encodeSessionToken(state: McpSessionState, key: Uint8Array): string {
  const payload = Buffer.from(
    JSON.stringify({
      n: state.nonce,
      s: state.subject,
      k: state.kind,
      u: state.upstreamSessionId,
      v: state.protocolVersion,
      i: state.initialize,
    }),
  ).toString('base64url');
  const token = `${PREFIX}${payload}.${mac(key, payload)}`;
  // Too long with the client's initialize params: without them (a stdio upstream is then
  // re-initialized with Vigil's defaults). Still too long, it is refused when it comes back.
  if (token.length <= MAX_LENGTH || Object.keys(state.initialize).length === 0) return token;
  return encodeSessionToken({ ...state, initialize: {} }, key);
}

/** `v2.<payload>.<mac>`, both base64url; the MAC is 32 bytes. */
const TOKEN_SHAPE = /^v2\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/;

/**
 * The state a token carries, or null for anything that is not one of Vigil's, or not one this
 * gateway made under `key` (the client then re-initializes).
 */
export function decodeSessionToken(token: string, key: Uint8Array): McpSessionState | null {
  if (token.length > MAX_LENGTH) return null;
  const shape = TOKEN_SHAPE.exec(token);
  if (!shape) return null;
  const payload = shape[1]!;
  const expected = Buffer.from(mac(key, payload));
  const given = Buffer.from(shape[2]!);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const v = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (
      typeof v.n !== 'string' ||
      typeof v.s !== 'string' ||
      !(IDENTITY_KINDS as readonly unknown[]).includes(v.k) ||
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
      kind: v.k as IdentityKind,
      upstreamSessionId: v.u,
      protocolVersion: v.v,
      initialize: v.i as JsonObject,
    };
  } catch {
    return null;
  }
}
