import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { consistencyProofFromParts } from '../../src/ledger/consistency-from-range.js';
import { CompactRange, type Digest, EMPTY_ROOT, leafHash, MerkleTree } from '../../src/ledger/merkle.js';
import {
  consistencyProof,
  inclusionProof,
  verifyConsistency,
  verifyInclusion,
} from '../../src/ledger/merkle-proofs.js';

// The reference: RFC 9162 §2.1.1 written out literally, with no shared code.
const sha = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
function naiveRoot(data: readonly Buffer[]): Buffer {
  if (data.length === 0) return sha();
  if (data.length === 1) return sha(Buffer.from([0]), data[0]!);
  let k = 1;
  while (k * 2 < data.length) k *= 2;
  return sha(Buffer.from([1]), naiveRoot(data.slice(0, k)), naiveRoot(data.slice(k)));
}
function naivePath(m: number, data: readonly Buffer[]): Buffer[] {
  if (data.length === 1) return [];
  let k = 1;
  while (k * 2 < data.length) k *= 2;
  return m < k
    ? [...naivePath(m, data.slice(0, k)), naiveRoot(data.slice(k))]
    : [...naivePath(m - k, data.slice(k)), naiveRoot(data.slice(0, k))];
}
function naiveSubproof(m: number, data: readonly Buffer[], b: boolean): Buffer[] {
  const n = data.length;
  if (m === n) return b ? [] : [naiveRoot(data)];
  let k = 1;
  while (k * 2 < n) k *= 2;
  return m <= k
    ? [...naiveSubproof(m, data.slice(0, k), b), naiveRoot(data.slice(k))]
    : [...naiveSubproof(m - k, data.slice(k), false), naiveRoot(data.slice(0, k))];
}

const eventHashes = (n: number) => Array.from({ length: n }, () => randomBytes(32));
const leavesOf = (data: readonly Buffer[]): Digest[] => data.map((d) => leafHash(d));

test('the empty tree hashes to SHA-256 of nothing', () => {
  assert.deepEqual(EMPTY_ROOT, sha());
  assert.deepEqual(new CompactRange().root(), sha());
});

test('compact range and level tree agree with the RFC definition at every size', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 300 }), (n) => {
      const data = eventHashes(n);
      const range = new CompactRange();
      const leaves = leavesOf(data);
      for (let i = 0; i <= n; i++) {
        assert.deepEqual(range.root(), naiveRoot(data.slice(0, i)), `size ${i}`);
        if (i < n) range.appendEventHash(data[i]!.toString('hex'));
      }
      assert.deepEqual(new MerkleTree(leaves).root(), naiveRoot(data));
    }),
    { numRuns: 25 },
  );
});

test('inclusion proofs equal the RFC audit path and verify; altered ones do not', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 200 }).chain((n) => fc.tuple(fc.constant(n), fc.nat(n - 1), fc.nat())),
      ([n, index, pick]) => {
        const data = eventHashes(n);
        const tree = new MerkleTree(leavesOf(data));
        const path = inclusionProof(tree, index);
        assert.deepEqual(path, naivePath(index, data));
        const root = tree.root();
        const leaf = leafHash(data[index]!);
        assert.ok(verifyInclusion(leaf, index, n, path, root));
        if (n > 1) assert.equal(verifyInclusion(leaf, (index + 1) % n, n, path, root), false);
        // (A wrong size with the same path shape can verify: the signed checkpoint binds size to root.)
        assert.equal(verifyInclusion(leaf, index, index, path, root), false);
        if (path.length > 0) {
          const bad = path.map((p) => Buffer.from(p));
          bad[pick % bad.length]![pick % 32]! ^= 1 << (pick % 8);
          assert.equal(verifyInclusion(leaf, index, n, bad, root), false);
          assert.equal(verifyInclusion(leaf, index, n, path.slice(1), root), false);
        }
      },
    ),
    { numRuns: 200 },
  );
});

test('consistency proofs equal the RFC subproof and verify; altered ones do not', () => {
  fc.assert(
    fc.property(
      fc
        .integer({ min: 1, max: 200 })
        .chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n }), fc.nat())),
      ([n, m, pick]) => {
        const data = eventHashes(n);
        const tree = new MerkleTree(leavesOf(data));
        const proof = consistencyProof(tree, m);
        if (m > 0 && m < n) assert.deepEqual(proof, naiveSubproof(m, data, true));
        const firstRoot = naiveRoot(data.slice(0, m));
        assert.ok(verifyConsistency(m, n, firstRoot, tree.root(), proof));
        if (m > 0 && m < n) {
          const other = Buffer.from(firstRoot);
          other[pick % 32]! ^= 1;
          assert.equal(verifyConsistency(m, n, other, tree.root(), proof), false);
          const bad = proof.map((p) => Buffer.from(p));
          bad[pick % bad.length]![pick % 32]! ^= 1 << (pick % 8);
          assert.equal(verifyConsistency(m, n, firstRoot, tree.root(), bad), false);
          // A prefix of a different history is not consistent.
          const forked = data.slice();
          forked[pick % m] = randomBytes(32);
          assert.equal(verifyConsistency(m, n, naiveRoot(forked.slice(0, m)), tree.root(), proof), false);
        }
      },
    ),
    { numRuns: 200 },
  );
});

test('a consistency proof from the old compact range and the new leaves equals the whole-tree proof', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 300 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n }))),
      ([n, m]) => {
        const leaves = leavesOf(eventHashes(n));
        const old = new CompactRange();
        for (const leaf of leaves.slice(0, m)) old.appendLeaf(leaf);
        assert.equal(
          old
            .blocks()
            .map((b) => b.end - b.start)
            .reduce((a, b) => a + b, 0),
          m,
        );
        const fromParts = consistencyProofFromParts(old.blocks(), m, leaves.slice(m));
        assert.deepEqual(fromParts, consistencyProof(new MerkleTree(leaves), m));
      },
    ),
    { numRuns: 300 },
  );
});
