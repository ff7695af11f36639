// An RFC 9162 consistency proof from size m to size n without the whole tree: every node the proof
// needs either lies wholly in the first m leaves, where it is one of the perfect subtrees the old
// tree decomposes into (its compact range), or wholly in the new leaves [m, n). So a log that keeps
// the compact range of the size a witness last cosigned reads only what was appended since.
import type { Digest } from './merkle.js';
import { rootOfLeaves } from './merkle.js';
import { consistencyProofOver } from './merkle-proofs.js';

export interface RangeBlock {
  readonly start: number;
  readonly end: number;
  readonly root: Digest;
}

/**
 * `oldBlocks` are the compact range of the first `m` leaves (CompactRange.blocks()); `newLeaves`
 * the leaf hashes of [m, n). Returns the same proof as consistencyProof over the whole tree.
 */
export function consistencyProofFromParts(
  oldBlocks: readonly RangeBlock[],
  m: number,
  newLeaves: readonly Digest[],
): Digest[] {
  return consistencyProofOver(m, m + newLeaves.length, (start, end) => {
    if (start >= m) return rootOfLeaves(newLeaves.slice(start - m, end - m));
    const block = oldBlocks.find((b) => b.start === start && b.end === end);
    if (!block) throw new RangeError(`no old subtree [${start}, ${end}) in a compact range of ${m}`);
    return block.root;
  });
}
