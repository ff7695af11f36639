// The per-session hash chain. An event's hash commits to its header and, through `payload_hash`,
// to its payload; the payload itself can be purged later without breaking the chain.
import { createHash } from 'node:crypto';
import type { EventDraft, Identity, JsonObject } from '../core/events.js';
import { canonicalJson } from './canonical.js';

export const GENESIS_HASH = '0'.repeat(64);

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
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

/** The canonical bytes of an event header: what the chain hash covers. */
export function encodeHeader(header: EventHeader): string {
  const identity: Record<string, unknown> = {
    subject: header.identity.subject,
    kind: header.identity.kind,
    groups: header.identity.groups,
  };
  if (header.identity.tokenId !== undefined) identity.token_id = header.identity.tokenId;
  return canonicalJson({
    v: 1,
    type: header.type,
    session: header.sessionId,
    seq: header.seq,
    time: header.time,
    connection: header.connection,
    identity,
    payload_hash: header.payloadHash,
  });
}

/** hash = SHA-256(prev_hash || canonical(header)), prev_hash as its 32 raw bytes. */
export function chainHash(prevHash: string, header: EventHeader): string {
  return createHash('sha256').update(Buffer.from(prevHash, 'hex')).update(encodeHeader(header)).digest('hex');
}
