// Inclusion and consistency proofs of the Merkle log: generation and verification exactly as
// RFC 9162 §2.1.3 and §2.1.4 define them, so a third party can check them with any CT library.
import { type Digest, type MerkleTree, nodeHash } from './merkle.js';

/** Audit path of leaf `index` in `tree` (whose size is the proof's tree size), bottom-up. */
export function inclusionProof(tree: MerkleTree, index: number): Digest[] {
  if (!Number.isInteger(index) || index < 0 || index >= tree.size) {
    throw new RangeError(`leaf ${index} is outside a tree of ${tree.size}`);
  }
  const path: Digest[] = [];
  let i = index;
  for (let level = 0; level < tree.levels.length - 1; level++) {
    const nodes = tree.levels[level]!;
    const sibling = i ^ 1;
    // A missing right sibling means this node is carried up unchanged: no hash on the path.
    if (sibling < nodes.length) path.push(nodes[sibling]!);
    i >>>= 1;
  }
  return path;
}

/** RFC 9162 §2.1.3.2: does `leaf` sit at `index` of the tree of `size` leaves with `root`? */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  size: number,
  path: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leaf;
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && Buffer.compare(r, root) === 0;
}

/** RFC 9162 §2.1.4.1: proof that the tree of `first` leaves is a prefix of `tree` (its size is the second). */
export function consistencyProof(tree: MerkleTree, first: number): Digest[] {
  return consistencyProofOver(first, tree.size, (start, end) => tree.subtree(start, end));
}

/**
 * The proof's shape for sizes `first` ≤ `second`, with `node(start, end)` giving the hash of the
 * subtree over leaves [start, end): each node it asks for lies wholly below `first` (a perfect
 * subtree of the old tree) or wholly at or above it.
 */
export function consistencyProofOver(
  first: number,
  second: number,
  node: (start: number, end: number) => Digest,
): Digest[] {
  if (!Number.isInteger(first) || first < 0 || first > second) {
    throw new RangeError(`cannot prove ${first} consistent with ${second}`);
  }
  const proof: Digest[] = [];
  if (first === 0 || first === second) return proof;
  const subproof = (m: number, start: number, end: number, complete: boolean): void => {
    const n = end - start;
    if (m === n) {
      if (!complete) proof.push(node(start, end));
      return;
    }
    const k = largestPowerOfTwoBelow(n);
    if (m <= k) {
      subproof(m, start, start + k, complete);
      proof.push(node(start + k, end));
    } else {
      subproof(m - k, start + k, end, false);
      proof.push(node(start, start + k));
    }
  };
  subproof(first, 0, second, true);
  return proof;
}

/** RFC 9162 §2.1.4.2: is the tree (first, firstRoot) a prefix of the tree (second, secondRoot)? */
export function verifyConsistency(
  first: number,
  second: number,
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 0 || first > second) {
    return false;
  }
  if (first === second) return proof.length === 0 && Buffer.compare(firstRoot, secondRoot) === 0;
  // Every tree is consistent with the empty tree, and the proof is empty.
  if (first === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr: Uint8Array = path[0]!;
  let sr: Uint8Array = path[0]!;
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && Buffer.compare(fr, firstRoot) === 0 && Buffer.compare(sr, secondRoot) === 0;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
