// What the checkpointer finds in the store that it must not build on, and how it says so.
//
// The signer commits events before the checkpoint that covers them, and both stores make commits
// visible in index order (SQLite has one writer; PostgreSQL appends under the ledger head's row
// lock), so two things read from the store are never honest:
// - a stored checkpoint whose size is past the log's end: a row written into the database, or the
//   log rolled back or cut under its checkpoints;
// - a hole: no event at the next index while later ones exist (an event deleted from the log).
// Until 6 December the checkpointer took the first as "covered so far" and signed nothing until the
// log grew past its size (with a size of 2^53 - 1, never again), and stopped at the second without a
// word; either way the gateway went on recording with nothing signed, every new event rewritable
// unseen. Both are now reported with the code `ledger_tampered` and a `reason` in the details, the
// reason also opening the message (the gateway logs the message), so an alert can match on it.
import { VigilError } from '../core/errors.js';
import type { SignedCheckpoint } from '../core/ports.js';

export const CHECKPOINT_TAMPER_REASONS = ['checkpoint_beyond_log', 'log_hole'] as const;
export type CheckpointTamperReason = (typeof CHECKPOINT_TAMPER_REASONS)[number];

export interface BeyondLog {
  /** The newest stored checkpoint the log holds (size within it), the one to continue from. */
  readonly within: SignedCheckpoint | null;
  /** Sizes of the rows past the log's end, ascending: never signed (the store keeps one row per size). */
  readonly beyond: readonly number[];
}

/** Splits stored checkpoints at the log's size (its events contiguous from index 0). */
export function splitAtLogEnd(stored: readonly SignedCheckpoint[], logSize: number): BeyondLog {
  let within: SignedCheckpoint | null = null;
  const beyond: number[] = [];
  for (const cp of stored) {
    if (cp.size > logSize) beyond.push(cp.size);
    else if (within === null || cp.size > within.size) within = cp;
  }
  beyond.sort((a, b) => a - b);
  return { within, beyond };
}

export function beyondLogError(split: BeyondLog, logSize: number): VigilError {
  const newest = split.beyond.at(-1);
  const from = split.within?.size ?? 0;
  return new VigilError(
    'ledger_tampered',
    `checkpoint_beyond_log: stored checkpoint of size ${newest} covers more events than the log holds from index 0 (${logSize}): not built on, checkpoints continue from size ${from} (run vigil verify)`,
    {
      details: {
        reason: 'checkpoint_beyond_log' satisfies CheckpointTamperReason,
        checkpointSizes: split.beyond,
        logSize,
        continueFrom: from,
      },
    },
  );
}

/** `index`: the first missing one; `next`: the index the store holds after it. */
export function logHoleError(index: number, next: number): VigilError {
  return new VigilError(
    'ledger_tampered',
    `log_hole: the log has no event at index ${index} but holds later ones (from ${next}): no checkpoint can cover what is recorded from now on until the log is restored (run vigil verify)`,
    { details: { reason: 'log_hole' satisfies CheckpointTamperReason, index, next } },
  );
}
