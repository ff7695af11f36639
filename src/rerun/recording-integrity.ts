// A re-run serves recorded answers as what the model said. The store's reads hand back a payload
// column as it is, unchecked, so a row rewritten in the database (an answer edited, a tool result
// swapped) would be served as genuine. Every payload a re-run reads is therefore held against the
// `payload_hash` its event commits to; one that differs stops the re-run, as `vigil verify` would
// fail. The chain links themselves are the ledger's to check (`vigil verify`): the re-run reads the
// events, it does not re-derive their hashes.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../core/canonical-json.js';
import { VigilError } from '../core/errors.js';
import type { StoredEvent } from '../core/events.js';

/** Throws `ledger_tampered` at the first event whose payload is not the one its hash commits to. */
export function checkRecordedPayloads(events: readonly StoredEvent[]): void {
  for (const e of events) {
    // A purged payload (or an offloaded one that failed its own check) reads as null: nothing to serve.
    if (e.payload === null) continue;
    // The ledger's payload hash: SHA-256 of the payload's canonical JSON (ledger/chain.ts).
    const hash = createHash('sha256').update(canonicalJson(e.payload)).digest('hex');
    if (hash === e.payloadHash) continue;
    throw new VigilError(
      'ledger_tampered',
      `session ${e.sessionId} event #${e.seq} (${e.type}) does not match its recorded payload hash: ` +
        'it was altered after recording, and a re-run will not serve it; run vigil verify',
      { details: { session: e.sessionId, seq: e.seq, type: e.type } },
    );
  }
}
