// Inclusion proofs of some of the log's leaves against the tree of its first `size` leaves, for an
// export bundle. Building them reads every leaf up to `size` and hashes the whole tree: work that
// grows with the ledger, not with the session exported. The CLI does it in its own thread
// (proveInProcess); a running gateway does it in a worker thread (log-proof-worker.ts), so a user
// exporting or verifying their own two-event session cannot stall every other session's traffic.
import { VigilError } from '../core/errors.js';
import type { EventSource } from './event-source.js';
import { type Digest, leafHashFromHex, MerkleTree } from './merkle.js';
import { inclusionProof } from './merkle-proofs.js';

export interface LogProofs {
  /** The root of the tree of the first `size` leaves, hex. */
  readonly root: string;
  /** Each asked index's audit path, bottom-up, hex. */
  readonly proofs: ReadonlyMap<number, readonly string[]>;
}

/** Proves `indexes` against the tree of the log's first `size` leaves. */
export type ProveLog = (size: number, indexes: readonly number[]) => Promise<LogProofs>;

/** Reads the leaves and builds the proofs on the caller's thread. */
export function proveInProcess(source: EventSource): ProveLog {
  return async (size, indexes) => proofsOf(new MerkleTree(await readLeaves(source, size)), indexes);
}

export function proofsOf(tree: MerkleTree, indexes: readonly number[]): LogProofs {
  return {
    root: tree.root().toString('hex'),
    proofs: new Map(indexes.map((i) => [i, inclusionProof(tree, i).map((d) => d.toString('hex'))])),
  };
}

export async function readLeaves(source: EventSource, size: number): Promise<Digest[]> {
  const leaves: Digest[] = [];
  while (leaves.length < size) {
    const rows = await source.readEvents(leaves.length, Math.min(10_000, size - leaves.length), {
      payloads: false,
    });
    if (rows.length === 0) break;
    for (const row of rows) {
      if (row.index !== leaves.length) {
        throw new VigilError('ledger_tampered', `the log skips index ${leaves.length}: run vigil verify`);
      }
      leaves.push(leafHashFromHex(row.hash));
    }
  }
  if (leaves.length < size)
    throw new VigilError('ledger_tampered', `the log is shorter than checkpoint ${size}`);
  return leaves;
}
