// What a verification worker does with one batch of the log: the stateless checks of each event
// (event-hashes.ts) and the Merkle leaves of the batch, hashed into subtrees (merkle-pieces.ts).
// It judges nothing: it stops at the first event it cannot vouch for, and the verifier's thread
// checks that event and the rest of the batch itself, with the very code it uses without workers.
// So the first fault in log order is always found where the sequential verifier finds it.
import type { RawEventRow } from '../core/ports.js';
import { type Depth, type EventHashes, rehashed } from './event-hashes.js';
import { type DigestText, leafTextFromHex, type Subtree } from './merkle.js';
import { MerklePieces } from './merkle-pieces.js';

export interface BatchCheck {
  /** How many leading events of the batch pass every stateless check (all of them, normally). */
  readonly vouched: number;
  /** Their Merkle leaves as subtrees, for the verifier's CompactRange (appendSubtree in order). */
  readonly subtrees: readonly Subtree[];
  /** For each checkpoint size inside them: the subtrees of the events before it. */
  readonly prefixes: ReadonlyMap<number, readonly Subtree[]>;
}

/**
 * Checks `rows` (null: a row this thread cannot judge alike, see packed-rows.ts), the events at log
 * positions start, start + 1, ...; `checkpointSizes` are the sizes whose roots the verifier needs.
 */
export function checkBatch(
  rows: readonly (RawEventRow | null)[],
  start: number,
  checkpointSizes: readonly number[],
  depth: Depth,
  hashes: EventHashes,
): BatchCheck {
  const leaves: DigestText[] = [];
  for (const row of rows) {
    if (row === null) break;
    let leaf: DigestText | null;
    try {
      // Outside --session/--since the header is still rehashed: its session and time decide the depth.
      if (hashes.check(row, rehashed(row, depth)) !== null) break;
      leaf = leafTextFromHex(row.hash);
    } catch {
      // Whatever threw will throw again on the verifier's thread, at this event and no earlier.
      break;
    }
    if (leaf === null) break;
    leaves.push(leaf);
  }
  const pieces = new MerklePieces(start, leaves);
  const prefixes = new Map<number, readonly Subtree[]>();
  for (const size of checkpointSizes) {
    if (size > start && size < pieces.end) prefixes.set(size, pieces.subtrees(size));
  }
  return { vouched: leaves.length, subtrees: pieces.subtrees(), prefixes };
}
