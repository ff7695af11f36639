// How one ledger row is written for a SIEM: `vigil`, the ledger's own JSON, or `ecs`, the Elastic
// Common Schema (docs/siem.md says why ECS and gives the mapping). Both carry the global index and
// the hash, so a receiver can deduplicate (delivery is at least once) and check against the ledger.
// Payloads are already masked: they are written exactly as the ledger holds them, and only when they
// are what the ledger holds (their text hashes to the payload hash); otherwise null, and flagged why.
import { inertJson } from '../core/inert-text.js';
import type { RawEventRow } from '../core/ports.js';
import { ecsClassification } from './ecs-classification.js';
import { payloadStanding } from './payload-standing.js';

export const SIEM_FORMATS = ['vigil', 'ecs'] as const;
export type SiemFormat = (typeof SIEM_FORMATS)[number];

/** The ECS version the documents follow. */
export const ECS_VERSION = '8.11.0';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The flag a document carries for each reason it has no payload. */
const NO_PAYLOAD_FLAG = {
  purged: 'payload_purged',
  missing: 'payload_missing',
  altered: 'payload_altered',
} as const;

/** The event as the ledger records it. A payload that is not there is null, flagged with why. */
export function vigilDocument(row: RawEventRow): Record<string, Json> {
  const standing = payloadStanding(row);
  return {
    index: row.index,
    hash: row.hash,
    prev_hash: row.prevHash,
    payload_hash: row.payloadHash,
    session: row.sessionId,
    seq: row.seq,
    type: row.type,
    time: row.time,
    connection: row.connection,
    identity: JSON.parse(row.identity) as Json,
    payload: standing.kind === 'intact' ? (JSON.parse(standing.text) as Json) : null,
    ...(standing.kind === 'intact' ? {} : { [NO_PAYLOAD_FLAG[standing.kind]]: true }),
  };
}

export function ecsDocument(row: RawEventRow): Record<string, Json> {
  const vigil = vigilDocument(row);
  const identity = (vigil.identity ?? {}) as {
    subject?: string;
    kind?: string;
    groups?: string[];
    tokenId?: string;
  };
  const payload = vigil.payload as Record<string, Json> | null;
  const { category, type, outcome, kind } = ecsClassification(row.type, payload);
  return {
    '@timestamp': row.time,
    ecs: { version: ECS_VERSION },
    event: {
      kind,
      category,
      type,
      action: row.type,
      outcome,
      sequence: row.index,
      hash: row.hash,
      provider: 'vigil',
      dataset: 'vigil.ledger',
      id: row.hash,
    },
    user: {
      name: identity.subject ?? null,
      ...(identity.groups && identity.groups.length > 0 ? { group: { name: identity.groups } } : {}),
    },
    service: { name: 'vigil', type: 'access-gateway', target: { name: row.connection } },
    ...(identity.tokenId ? { token: { id: identity.tokenId } } : {}),
    vigil,
  };
}

/**
 * One JSON line (no newline) for a row in the sink's format. Recorded text is written by whoever
 * sent it, and JSON.stringify leaves some characters raw that a receiver or a reader acts on: U+2028,
 * U+2029 and NEL end a line for many line readers (a prompt holding one then a JSON object read as a
 * second, forged event), C1 controls (CSI U+009B, OSC U+009D) drive a terminal showing the file,
 * bidi overrides and zero-width characters reorder or hide text. Each is written as a JSON `\u`
 * escape instead (inertJson): the line parses to exactly the same document.
 */
export function formatEvent(row: RawEventRow, format: SiemFormat): string {
  return inertJson(format === 'ecs' ? ecsDocument(row) : vigilDocument(row));
}
