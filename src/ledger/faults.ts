// The kinds of fault verification names. Stable strings: scripts and auditors match on them.

export const FAULT_KINDS = [
  /** The global log skips or repeats an index (an event deleted, inserted or renumbered). */
  'index_gap',
  /** A session's sequence numbers are not contiguous from 0 in log order (deleted, swapped, moved). */
  'seq_gap',
  /** An event's prev_hash is not the hash of its session's previous event. */
  'chain_broken',
  /** An event's stored hash is not the hash of its stored header (a header column was changed). */
  'hash_mismatch',
  /** A stored payload does not hash to the event's payload_hash. */
  'payload_mismatch',
  /** A payload is gone but no recorded purge (`ledger.purged`) names the event: it was erased unseen. */
  'payload_missing',
  /**
   * A payload kept in object storage (the row names its object) whose object is gone: deleted or
   * never written. A purge clears the row's reference, so this is never a recorded purge.
   */
  'payload_object_missing',
  /** The Merkle root of the log at a checkpoint's size is not the checkpoint's root. */
  'root_mismatch',
  /** A checkpoint's signature does not verify with the key it names. */
  'signature_invalid',
  /** A checkpoint names a key that is not in the keyring. */
  'unknown_key',
  /** A signed checkpoint covers more events than the store holds. */
  'log_truncated',
  /** A session holds fewer events than its session record counts (its last events removed). */
  'session_truncated',
  /**
   * A session record (what `vigil sessions` lists and filters by) disagrees with its session's first
   * event (subject, identity, connection, start time, protocol) or latest session.end (end time,
   * end reason); or a record with no events, or a session's events with no record.
   */
  'session_mismatch',
  /** An anchor line was edited, removed or reordered, or disagrees with the stored checkpoint. */
  'anchor_mismatch',
  /** The anchor ends before the store's checkpoints (lines cut off), or is missing. */
  'anchor_truncated',
  /** The anchor holds checkpoints the store no longer matches: the store was restored to an earlier state. */
  'rollback',
  /** A checkpoint the anchor holds is missing from the store (while the events still match it). */
  'checkpoint_missing',
  /** An event's inclusion proof in a bundle does not lead to the checkpoint's root. */
  'inclusion_invalid',
  /** A bundle is not well-formed (not canonical JSON, a field missing or of the wrong kind). */
  'bundle_malformed',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface LedgerFault {
  readonly kind: FaultKind;
  readonly message: string;
  /** The global index of the first bad event, when the fault is an event's. */
  readonly index?: number;
  readonly sessionId?: string;
  readonly seq?: number;
  /** The event's type, when the fault is an event's and the type helps to find it. */
  readonly eventType?: string;
  /** The size of the checkpoint at fault, when it is a checkpoint's. */
  readonly checkpointSize?: number;
  /**
   * The session record's field at fault (`session_mismatch`): `subject`, `identity`, `connection`,
   * `startedAt`, `protocol`, `endedAt` or `endReason`, or `events` for a record with no events and
   * `record` for events with no record.
   */
  readonly field?: string;
  /** The 1-based anchor line at fault. */
  readonly anchorLine?: number;
}
