// What a row's payload text is worth to a SIEM: the payload the ledger vouches for, or why there is
// none. A reader hands over no payload for three reasons a receiver must be able to tell apart:
// retention purged it (expected, recorded), the object storage that keeps it does not hold it, or
// what is there is not the payload (the offloading reader hands a replaced object over as the text
// `null`; an inline column can be edited too). Until 5 December all three reached sinks as a purge.
import type { RawEventRow } from '../core/ports.js';
import { sha256Hex } from '../ledger/chain.js';

export type PayloadStanding =
  | { readonly kind: 'intact'; readonly text: string }
  | { readonly kind: 'purged' }
  | { readonly kind: 'missing' }
  | { readonly kind: 'altered' };

export function payloadStanding(row: RawEventRow): PayloadStanding {
  if (row.payload === null) return row.payloadObject ? { kind: 'missing' } : { kind: 'purged' };
  // The payload hash is the SHA-256 of the payload's canonical text: any other text, the reader's
  // `null` for a replaced object included (no payload is `null`), is not what was recorded.
  return sha256Hex(row.payload) === row.payloadHash
    ? { kind: 'intact', text: row.payload }
    : { kind: 'altered' };
}
