// Export bundles: one session's events with their payloads, each event's inclusion proof against a
// signed checkpoint that covers the session's last event, that checkpoint and its public key.
// Canonical JSON, so the bundle has exactly one valid spelling and any changed byte is detected.

import { VigilError } from '../core/errors.js';
import type { EventSource, SignedCheckpoint, Store } from '../core/ports.js';
import { canonicalBundleText, nextTurn, readSessionPaged } from './bundle-pages.js';
import { purgeEntries, purgeRecordsFor } from './bundle-purges.js';
import { encodeIdentity } from './chain.js';
import { storeEventSource } from './event-source.js';
import type { Keyring } from './keyring.js';
import { type ProveLog, proveInProcess } from './log-proofs.js';

export const BUNDLE_FORMAT = 'vigil-bundle';
export const BUNDLE_VERSION = 1;

export interface ExportOptions {
  /** Makes a checkpoint when none covers the session yet (the running gateway's Checkpointer). */
  readonly checkpointNow?: () => Promise<SignedCheckpoint | null>;
  /** A faster reader of the log's leaves than the Store (StoreBundle.eventSource). */
  readonly source?: EventSource;
  /**
   * Builds the inclusion proofs (log-proofs.ts); by default on this thread. A running gateway
   * builds them off its event loop (log-proofs-off-thread.ts).
   */
  readonly prove?: ProveLog;
  /**
   * The most payload text (canonical JSON characters) the bundle may carry: past it the export is
   * refused with `bundle_too_large` once read that far. A running gateway bounds what one request
   * makes it hold; the CLI bundles any session.
   */
  readonly maxPayloadChars?: number;
}

/**
 * Builds the bundle of one session; its text is `canonicalJson(bundle)`. The session is read and
 * encoded a piece at a time, giving the event loop back between pieces (bundle-pages.ts).
 */
export async function exportBundle(
  store: Store,
  sessionId: string,
  keyring: Keyring,
  options: ExportOptions = {},
): Promise<string> {
  const events = await readSessionPaged(store, sessionId, options.maxPayloadChars);
  if (events.length === 0) throw new VigilError('session_unknown', `no session ${sessionId}`);
  const source = options.source ?? storeEventSource(store);
  // The purge records that explain missing payloads must be covered by the checkpoint too.
  const purgeIndexes = (await purgeRecordsFor(source, events, Number.MAX_SAFE_INTEGER)).rows.map(
    (r) => r.index,
  );
  const last = Math.max(events[events.length - 1]!.index, ...purgeIndexes);
  let checkpoint = (await store.listCheckpoints()).at(-1);
  if ((!checkpoint || checkpoint.size <= last) && options.checkpointNow) {
    checkpoint = (await options.checkpointNow()) ?? (await store.listCheckpoints()).at(-1);
  }
  if (!checkpoint || checkpoint.size <= last) {
    throw new VigilError(
      'usage',
      `no signed checkpoint covers session ${sessionId} yet: wait a moment, or export while the gateway runs`,
    );
  }
  const key = keyring.entry(checkpoint.keyId);
  if (!key)
    throw new VigilError(
      'ledger_tampered',
      `checkpoint ${checkpoint.size} names unknown key ${checkpoint.keyId}`,
    );
  const purges = await purgeRecordsFor(source, events, checkpoint.size);
  const prove = options.prove ?? proveInProcess(source);
  const { root, proofs } = await prove(checkpoint.size, [
    ...events.map((e) => e.index),
    ...purges.rows.map((r) => r.index),
  ]);
  if (root !== checkpoint.root) {
    throw new VigilError(
      'ledger_tampered',
      `the log does not hash to checkpoint ${checkpoint.size}'s root: run vigil verify`,
    );
  }
  const proof = (index: number) => {
    const path = proofs.get(index);
    if (path === undefined)
      throw new VigilError('internal', `no inclusion proof was built for leaf ${index}`);
    return path;
  };
  await nextTurn();
  const bundle = {
    format: BUNDLE_FORMAT,
    v: BUNDLE_VERSION,
    session: sessionId,
    checkpoint: {
      size: checkpoint.size,
      root: checkpoint.root,
      time: checkpoint.time,
      key_id: checkpoint.keyId,
      signature: checkpoint.signature,
    },
    public_key: { key_id: key.keyId, public_key: key.publicKey },
    // Only when payloads were purged, so every other bundle keeps its exact bytes.
    ...(purges.rows.length > 0 ? { purges: purgeEntries(purges.rows, proof) } : {}),
  };
  return canonicalBundleText(bundle, events, (e) => ({
    index: e.index,
    session: e.sessionId,
    seq: e.seq,
    type: e.type,
    time: e.time,
    connection: e.connection,
    identity: JSON.parse(encodeIdentity(e.identity)),
    payload_hash: e.payloadHash,
    payload: e.payload,
    prev_hash: e.prevHash,
    hash: e.hash,
    proof: proof(e.index),
  }));
}
