// The global Merkle log in the RFC 9162 (Certificate Transparency v2) tree shape:
// leaf = SHA-256(0x00 || event hash bytes), node = SHA-256(0x01 || left || right), and the tree
// of n leaves splits at the largest power of two below n. The empty tree hashes to SHA-256("").
import { createHash, hash as oneShotHash } from 'node:crypto';

export type Digest = Buffer;

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

// Reused scratch buffers: hashing runs per event, so avoid an allocation per call.
const leafScratch = Buffer.alloc(33);
const nodeScratch = Buffer.alloc(65);
leafScratch[0] = LEAF_PREFIX;
nodeScratch[0] = NODE_PREFIX;

export const EMPTY_ROOT: Digest = createHash('sha256').digest();

/** Leaf hash of an event, from its hash as 64 lowercase hex characters. */
export function leafHashFromHex(eventHashHex: string): Digest {
  // A short or non-hex string would leave stale bytes behind: refuse it.
  if (eventHashHex.length !== 64 || leafScratch.write(eventHashHex, 1, 32, 'hex') !== 32) {
    throw new TypeError('an event hash is 64 hex characters');
  }
  return oneShotHash('sha256', leafScratch, 'buffer') as Digest;
}

// The per-event paths (recording, checkpointing, verifying) keep digests as 32-character latin1
// strings: crypto.hash returning a Buffer allocates one per call, which cost about 1 µs of each
// leaf and node hash in verify's profile, three times the hashing itself ('binary' is latin1).
/** A digest as its 32 bytes in a latin1 string. */
export type DigestText = string;

/** Leaf hash of an event, from its hash as 64 hex characters; null when it is not that. */
export function leafTextFromHex(eventHashHex: string): DigestText | null {
  if (eventHashHex.length !== 64 || leafScratch.write(eventHashHex, 1, 32, 'hex') !== 32) return null;
  return oneShotHash('sha256', leafScratch, 'binary');
}

export function nodeText(left: DigestText, right: DigestText): DigestText {
  nodeScratch.write(left, 1, 32, 'latin1');
  nodeScratch.write(right, 33, 32, 'latin1');
  return oneShotHash('sha256', nodeScratch, 'binary');
}

/** The root of a perfect subtree of 2^height leaves. */
export interface Subtree {
  readonly root: DigestText;
  readonly height: number;
}

export function leafHash(eventHash: Uint8Array): Digest {
  leafScratch.set(eventHash, 1);
  return oneShotHash('sha256', leafScratch, 'buffer') as Digest;
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Digest {
  nodeScratch.set(left, 1);
  nodeScratch.set(right, 33);
  return oneShotHash('sha256', nodeScratch, 'buffer') as Digest;
}

/**
 * The log's root, kept incrementally in O(log n) memory: the roots of the perfect subtrees the
 * leaves so far decompose into (one per set bit of the size), largest first. Appending merges
 * equal-sized neighbours like a binary counter; the root folds them right to left.
 */
export class CompactRange {
  readonly #stack: DigestText[] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  appendLeaf(leaf: Digest): void {
    this.appendSubtree({ root: leaf.toString('latin1'), height: 0 });
  }

  appendEventHash(eventHashHex: string): void {
    const leaf = leafTextFromHex(eventHashHex);
    if (leaf === null) throw new TypeError('an event hash is 64 hex characters');
    this.appendSubtree({ root: leaf, height: 0 });
  }

  /**
   * Appends 2^height leaves at once by their subtree's root: the size must be a multiple of
   * 2^height (the subtree is aligned in the log), as the pieces of merkle-pieces.ts are.
   */
  appendSubtree({ root, height }: Subtree): void {
    const width = 2 ** height;
    if (this.#size % width !== 0)
      throw new RangeError(`a subtree of ${width} leaves cannot start at ${this.#size}`);
    let node = root;
    // Each 1 bit of the old size from bit `height` up is a perfect subtree of that height: merge it.
    for (let s = this.#size / width; s % 2 === 1; s = (s - 1) / 2) node = nodeText(this.#stack.pop()!, node);
    this.#stack.push(node);
    this.#size += width;
  }

  root(): Digest {
    return Buffer.from(this.#rootText(), 'latin1');
  }

  rootHex(): string {
    return this.root().toString('hex');
  }

  #rootText(): DigestText {
    if (this.#stack.length === 0) return EMPTY_ROOT.toString('latin1');
    let root = this.#stack[this.#stack.length - 1]!;
    for (let i = this.#stack.length - 2; i >= 0; i--) root = nodeText(this.#stack[i]!, root);
    return root;
  }

  /** The perfect subtrees the leaves decompose into, largest (leftmost) first, with their leaf ranges. */
  blocks(): { start: number; end: number; root: Digest }[] {
    const out: { start: number; end: number; root: Digest }[] = [];
    let start = 0;
    let i = 0;
    for (let bit = 2 ** Math.floor(Math.log2(Math.max(this.#size, 1))); bit >= 1; bit /= 2) {
      if (Math.floor(this.#size / bit) % 2 === 1) {
        out.push({ start, end: start + bit, root: Buffer.from(this.#stack[i++]!, 'latin1') });
        start += bit;
      }
    }
    return out;
  }

  clone(): CompactRange {
    const copy = new CompactRange();
    copy.#stack.push(...this.#stack);
    copy.#size = this.#size;
    return copy;
  }
}

/**
 * A whole tree kept level by level (64 bytes per leaf), for producing proofs. Level 0 holds the
 * leaves; a level with an odd count carries its last node up unchanged, which gives exactly the
 * RFC 9162 shape.
 */
export class MerkleTree {
  readonly levels: Digest[][];

  constructor(leaves: readonly Digest[]) {
    const levels: Digest[][] = [leaves.slice()];
    while (levels[levels.length - 1]!.length > 1) {
      const below = levels[levels.length - 1]!;
      const above: Digest[] = [];
      for (let i = 0; i + 1 < below.length; i += 2) above.push(nodeHash(below[i]!, below[i + 1]!));
      if (below.length % 2 === 1) above.push(below[below.length - 1]!);
      levels.push(above);
    }
    this.levels = levels;
  }

  get size(): number {
    return this.levels[0]!.length;
  }

  root(): Digest {
    return this.size === 0 ? EMPTY_ROOT : this.levels[this.levels.length - 1]![0]!;
  }

  /** The hash of the subtree over leaves [start, end), which must be a node of this tree. */
  subtree(start: number, end: number): Digest {
    let level = 0;
    while (1 << level < end - start) level++;
    return this.levels[level]![start >>> level]!;
  }
}

/** Merkle tree hash of a list of leaves, by the recursive definition (reference and small inputs). */
export function rootOfLeaves(leaves: readonly Digest[]): Digest {
  return new MerkleTree(leaves).root();
}
