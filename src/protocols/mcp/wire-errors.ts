// How a VigilError reaches an MCP client. Problems with the HTTP exchange itself (no token, a body
// that is not one JSON-RPC message, an unknown session) get an HTTP status, as the streamable-HTTP
// transport says; a refusal of one request (policy, a changed tool, an unknown method, an upstream
// failure) is that request's JSON-RPC error, with the stable Vigil code in error.data.code so an
// SDK client surfaces it as an McpError. Messages never quote client input.
import type { ServerResponse } from 'node:http';
import type { VigilError } from '../../core/errors.js';
import type { JsonObject } from '../../core/events.js';
import { type JsonRpcId, RPC, rpcError } from './jsonrpc.js';

/** Errors that concern the HTTP exchange rather than one JSON-RPC request. */
const TRANSPORT_LEVEL = new Set([
  'auth_missing',
  'auth_invalid',
  'auth_expired',
  'auth_revoked',
  'forbidden_connection',
  'body_too_large',
  'body_invalid_json',
  'body_too_deep',
  'protocol_violation',
  'session_unknown',
  'route_unknown',
  'usage',
]);

export function rpcCodeOf(err: VigilError): number {
  switch (err.code) {
    case 'body_invalid_json':
      return RPC.parseError;
    case 'protocol_violation':
    case 'body_too_deep':
    case 'body_too_large':
    case 'message_too_large':
    case 'usage':
      return RPC.invalidRequest;
    case 'method_unknown':
      return RPC.methodNotFound;
    case 'upstream_unreachable':
    case 'upstream_timeout':
    case 'upstream_failed':
      return RPC.upstream;
    case 'internal':
      return RPC.internalError;
    default:
      return RPC.refused;
  }
}

export function rpcErrorBody(err: VigilError, id: JsonRpcId | null): JsonObject {
  const data: JsonObject = { code: err.code };
  const rule = err.details?.rule;
  if (typeof rule === 'string') data.rule = rule;
  return rpcError(id, rpcCodeOf(err), err.message, data);
}

export interface AuthChallenge {
  /** The absolute URL of the protected-resource metadata. */
  readonly resourceMetadata: string;
}

/**
 * Refuses a message that has no answer of its own (a notification): an HTTP error status with a
 * JSON-RPC error without an id, as the transport says for input a server cannot accept.
 */
export function sendInputRefused(res: ServerResponse, err: VigilError): void {
  sendRpcError(res, err, null, null, true);
}

/** Answers `err` for the request `id` (null when it could not be read), as the error's kind says. */
export function sendRpcError(
  res: ServerResponse,
  err: VigilError,
  id: JsonRpcId | null,
  challenge: AuthChallenge | null = null,
  transportLevel = TRANSPORT_LEVEL.has(err.code),
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status = transportLevel ? err.status : 200;
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-vigil-error': err.code };
  if (status === 401 && challenge) {
    // RFC 6750 + RFC 9728, as the MCP authorization spec asks of a protected resource.
    const error = err.code === 'auth_missing' ? '' : ', error="invalid_token"';
    headers['www-authenticate'] = `Bearer resource_metadata="${challenge.resourceMetadata}"${error}`;
  }
  if (err.code === 'body_too_large') headers.connection = 'close';
  const text = JSON.stringify(rpcErrorBody(err, id));
  res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}
