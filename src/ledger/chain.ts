// The per-session hash chain. An event's hash commits to its header and, through `payload_hash`,
// to its payload; the payload itself can be purged later without breaking the chain.
// The encoders here run once per event when recording and verifying, so they write the canonical
// JSON directly (keys already in sorted order) instead of going through the generic encoder.
import { hash as oneShotHash } from 'node:crypto';
import { canonicalJson } from '../core/canonical-json.js';
import type { EventDraft, Identity, JsonObject } from '../core/events.js';

export const GENESIS_HASH = '0'.repeat(64);

export function sha256Hex(data: string | Buffer): string {
  return oneShotHash('sha256', data, 'hex');
}

export function payloadHash(payload: JsonObject): string {
  return sha256Hex(canonicalJson(payload));
}

export interface EventHeader {
  readonly type: EventDraft['type'];
  readonly sessionId: string;
  readonly seq: number;
  readonly time: string;
  readonly connection: string;
  readonly identity: Identity;
  readonly payloadHash: string;
}

/** Canonical JSON of the identity as the header carries it: {groups, kind, subject, token_id?}. */
export function encodeIdentity(identity: Identity): string {
  const value: Record<string, unknown> = {
    subject: identity.subject,
    kind: identity.kind,
    groups: identity.groups,
  };
  if (identity.tokenId !== undefined) value.token_id = identity.tokenId;
  return canonicalJson(value);
}

/**
 * The canonical header with the identity already encoded: canonical JSON of
 * {connection, identity, payload_hash, seq, session, time, type, v: 1} (keys in sorted order).
 */
export function encodeHeaderWith(
  type: string,
  sessionId: string,
  seq: number,
  time: string,
  connection: string,
  encodedIdentity: string,
  hashOfPayload: string,
): string {
  return encodeHeaderIn(headerFrame(sessionId, connection, encodedIdentity), type, seq, time, hashOfPayload);
}

/**
 * The parts of a header that a session's events share: everything before the payload hash
 * (connection and identity), and the session between seq and time. The header's text is written
 * only here and in encodeHeaderIn; verification keeps a session's frame and rehashes each event
 * with it, which spares two JSON.stringify calls and the identity's lookup per event.
 */
export interface HeaderFrame {
  readonly head: string;
  readonly session: string;
}

export function headerFrame(sessionId: string, connection: string, encodedIdentity: string): HeaderFrame {
  return {
    head: `{"connection":${JSON.stringify(connection)},"identity":${encodedIdentity},"payload_hash":`,
    session: `,"session":${JSON.stringify(sessionId)},"time":`,
  };
}

/**
 * The header's text, from the session's frame and the event's own fields. `plainPayloadHash`:
 * the caller knows the payload hash to be hex (it just computed it), which JSON writes as it is:
 * JSON.stringify costs about 20 instructions a character, and this is the header's longest field.
 */
export function encodeHeaderIn(
  frame: HeaderFrame,
  type: string,
  seq: number,
  time: string,
  hashOfPayload: string,
  plainPayloadHash = false,
): string {
  if (!Number.isFinite(seq)) throw new TypeError(`cannot encode non-finite number ${seq}`);
  const payloadHashJson = plainPayloadHash ? `"${hashOfPayload}"` : JSON.stringify(hashOfPayload);
  return `${frame.head}${payloadHashJson},"seq":${JSON.stringify(seq)}${frame.session}${JSON.stringify(time)},"type":${JSON.stringify(type)},"v":1}`;
}

/** The canonical bytes of an event header: what the chain hash covers. */
export function encodeHeader(header: EventHeader): string {
  return encodeHeaderWith(
    header.type,
    header.sessionId,
    header.seq,
    header.time,
    header.connection,
    encodeIdentity(header.identity),
    header.payloadHash,
  );
}

const scratch = Buffer.alloc(16 * 1024);

/** SHA-256(prev_hash as 32 raw bytes || encoded header), hex. `prevHash` must be 64 hex characters. */
export function chainHashOf(prevHash: string, encodedHeader: string): string {
  // One buffer and a one-shot hash: this runs for every event recorded and verified.
  // The hex write stops at the first character that is not hex, and lower case is the ledger's
  // format: together as strict as /^[0-9a-f]{64}$/, at a fraction of its cost per event.
  if (
    prevHash.length !== 64 ||
    scratch.write(prevHash, 0, 32, 'hex') !== 32 ||
    prevHash.toLowerCase() !== prevHash
  )
    throw new TypeError('prev_hash must be 64 hex characters');
  if (encodedHeader.length * 3 <= scratch.length - 32) {
    const n = scratch.write(encodedHeader, 32, 'utf8');
    return oneShotHash('sha256', scratch.subarray(0, 32 + n), 'hex');
  }
  return oneShotHash(
    'sha256',
    Buffer.concat([Buffer.from(prevHash, 'hex'), Buffer.from(encodedHeader)]),
    'hex',
  );
}

/** hash = SHA-256(prev_hash || canonical(header)), prev_hash as its 32 raw bytes. */
export function chainHash(prevHash: string, header: EventHeader): string {
  return chainHashOf(prevHash, encodeHeader(header));
}
