// JSON-RPC 2.0 messages as MCP's streamable HTTP carries them: one message per POST body (the
// 2025-06-18 revision removed batches, so an array is refused rather than half-handled), read
// defensively from client bytes. Pure: the same reader checks what the upstream sends back.
import { VigilError } from '../../core/errors.js';
import type { JsonObject, JsonValue } from '../../core/events.js';
import { holdsNonFiniteNumber } from '../../core/json-finite.js';
import { parseClientJson } from '../../http/json-body.js';
import { assertParamSpellings } from './param-spellings.js';

export type JsonRpcId = string | number;

export type JsonRpcMessage =
  | { readonly kind: 'request'; readonly id: JsonRpcId; readonly method: string; readonly params: JsonObject }
  | { readonly kind: 'notification'; readonly method: string; readonly params: JsonObject }
  | { readonly kind: 'response'; readonly id: JsonRpcId; readonly result: JsonObject }
  | { readonly kind: 'error'; readonly id: JsonRpcId | null; readonly error: JsonObject };

/** JSON-RPC's own error codes (the spec's table); Vigil's refusals use -32001 with the Vigil code in data. */
export const RPC = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  refused: -32001,
  upstream: -32002,
} as const;

/** A JSON object, not an array or null. */
export function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function validId(v: JsonValue | undefined): v is JsonRpcId {
  return (typeof v === 'string' && v.length <= 256) || (typeof v === 'number' && Number.isSafeInteger(v));
}

/** The id of a message that could not be read, when it has a usable one (so the error can answer it). */
export function salvageId(value: JsonValue): JsonRpcId | null {
  return isObject(value) && validId(value.id) ? value.id : null;
}

/** Parses one POST body. Throws body_invalid_json, body_too_deep or protocol_violation (never quoting the input). */
export function parseJsonRpcBody(raw: Uint8Array): JsonRpcMessage {
  const value = parseClientJson(raw);
  assertRecordableKeys(value);
  const message = readJsonRpcMessage(value);
  if (message.kind === 'request' || message.kind === 'notification') assertParamSpellings(message.params);
  return message;
}

/**
 * Refuses a key named `__proto__` anywhere in a client's message. JSON.parse keeps it as a key and
 * the forwarded message carries it to the server, but a copy made key by key (`out[key] = value`,
 * as masking makes the record) sets the copy's prototype instead: the record would lack what the
 * server got (test/mcp/attacker-deep-proto.test.ts). No MCP method or schema uses the name.
 */
function assertRecordableKeys(value: JsonValue): void {
  const stack: JsonValue[] = [value];
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (!Array.isArray(v) && Object.hasOwn(v, '__proto__')) {
      throw new VigilError('protocol_violation', 'a key named __proto__ cannot be recorded as sent');
    }
    for (const item of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof item === 'object' && item !== null) stack.push(item);
    }
  }
}

/**
 * Refuses a number JSON.parse read as Infinity (`1e400`): the message cannot be recorded (canonical
 * JSON has no Infinity) and would be forwarded as `null`, JSON.stringify's spelling of it. From a
 * client that failed as `record_failed` or `internal`, codes that do not say the input was at
 * fault; from a server, until 6 December the client got the answer with `null` in its place and
 * its record was lost (test/mcp/attacker-round-6dec.test.ts). A number merely too precise for a
 * double (`1.0000000000000001`) is read, recorded and forwarded as the double it rounds to, one
 * value on every side, so it passes.
 */
function assertFiniteNumbers(value: JsonValue): void {
  if (holdsNonFiniteNumber(value)) {
    throw new VigilError('protocol_violation', 'a number too large for a double cannot be recorded as sent');
  }
}

export function readJsonRpcMessage(value: JsonValue): JsonRpcMessage {
  assertFiniteNumbers(value);
  if (Array.isArray(value)) {
    throw new VigilError(
      'protocol_violation',
      'JSON-RPC batches are not supported (MCP 2025-06-18 and later)',
    );
  }
  if (!isObject(value)) throw new VigilError('protocol_violation', 'a JSON-RPC message must be an object');
  if (value.jsonrpc !== '2.0') throw new VigilError('protocol_violation', 'jsonrpc must be "2.0"');
  const hasId = Object.hasOwn(value, 'id');
  if (hasId && !validId(value.id) && !(value.id === null && Object.hasOwn(value, 'error'))) {
    throw new VigilError('protocol_violation', 'id must be a string (up to 256 characters) or an integer');
  }
  if (typeof value.method === 'string') {
    if (value.method.length === 0 || value.method.length > 256) {
      throw new VigilError('protocol_violation', 'method must be a name of 1 to 256 characters');
    }
    if (Object.hasOwn(value, 'params') && !isObject(value.params)) {
      throw new VigilError('protocol_violation', 'params must be an object');
    }
    const params = isObject(value.params) ? value.params : {};
    if (hasId) return { kind: 'request', id: value.id as JsonRpcId, method: value.method, params };
    return { kind: 'notification', method: value.method, params };
  }
  if (Object.hasOwn(value, 'method')) throw new VigilError('protocol_violation', 'method must be a string');
  if (!hasId) throw new VigilError('protocol_violation', 'a message needs a method or an id');
  if (isObject(value.result) && !Object.hasOwn(value, 'error')) {
    return { kind: 'response', id: value.id as JsonRpcId, result: value.result };
  }
  if (isObject(value.error) && !Object.hasOwn(value, 'result')) {
    return { kind: 'error', id: (value.id ?? null) as JsonRpcId | null, error: value.error };
  }
  throw new VigilError('protocol_violation', 'a response needs exactly one of result (an object) or error');
}

/** The wire form of a message. */
export function toWire(m: JsonRpcMessage): JsonObject {
  switch (m.kind) {
    case 'request':
      return { jsonrpc: '2.0', id: m.id, method: m.method, params: m.params };
    case 'notification':
      return { jsonrpc: '2.0', method: m.method, params: m.params };
    case 'response':
      return { jsonrpc: '2.0', id: m.id, result: m.result };
    case 'error':
      return { jsonrpc: '2.0', id: m.id, error: m.error };
  }
}

export function rpcError(id: JsonRpcId | null, code: number, message: string, data?: JsonObject): JsonObject {
  return { jsonrpc: '2.0', id, error: { code, message, ...(data ? { data } : {}) } };
}

/** Whether `m` answers the request with this id. */
export function answers(m: JsonRpcMessage, id: JsonRpcId): boolean {
  return (m.kind === 'response' || m.kind === 'error') && m.id === id;
}
