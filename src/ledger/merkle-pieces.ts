// The Merkle log over a run of its leaves, computed apart from the rest: the leaves at positions
// [start, start + n) hashed into every perfect subtree aligned inside them, so that a CompactRange
// that holds the first `start` leaves can take the run as a few subtrees (appendSubtree) instead
// of n leaves. Verification's workers hash their batches this way; the verifier's thread only
// merges O(log n) roots per batch, and any checkpoint's root inside a batch is the verifier's
// range plus the pieces of the batch before it.
import { type DigestText, nodeText, type Subtree } from './merkle.js';

export class MerklePieces {
  /** levels[h][k]: the root of the aligned block of 2^h leaves numbered first[h] + k in the log. */
  readonly #levels: DigestText[][] = [];
  readonly #first: number[] = [];

  constructor(
    readonly start: number,
    leaves: readonly DigestText[],
  ) {
    let level = leaves.slice();
    let first = start;
    while (level.length > 0) {
      this.#levels.push(level);
      this.#first.push(first);
      // A block of the next level exists where both of its halves lie inside the run.
      const next: DigestText[] = [];
      const firstAbove = Math.ceil(first / 2);
      for (let k = firstAbove; 2 * k + 1 - first < level.length; k++) {
        next.push(nodeText(level[2 * k - first]!, level[2 * k + 1 - first]!));
      }
      level = next;
      first = firstAbove;
    }
  }

  get end(): number {
    return this.start + (this.#levels[0]?.length ?? 0);
  }

  /**
   * The subtrees leaves [start, end) decompose into, left to right: at each position the largest
   * block aligned there that still ends by `end` (the order a CompactRange can append them in).
   */
  subtrees(end = this.end): Subtree[] {
    if (end < this.start || end > this.end)
      throw new RangeError(`${end} is outside [${this.start}, ${this.end}]`);
    const out: Subtree[] = [];
    for (let at = this.start; at < end; ) {
      let height = 0;
      while (at % 2 ** (height + 1) === 0 && at + 2 ** (height + 1) <= end) height++;
      out.push({ root: this.#levels[height]![at / 2 ** height - this.#first[height]!]!, height });
      at += 2 ** height;
    }
    return out;
  }
}
