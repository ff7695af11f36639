// A worker thread that proves some leaves of the log (log-proofs.ts) and exits: it opens its own
// reader of the store (workerData.reader), reads the leaves, builds the tree and answers once.
import { parentPort, workerData } from 'node:worker_threads';
import type { OpenedEventSource } from '../core/ports.js';
import type { LogProofAnswer, LogProofTask } from './log-proof-messages.js';
import { proofsOf, readLeaves } from './log-proofs.js';
import { MerkleTree } from './merkle.js';

const { reader, size, indexes } = workerData as LogProofTask;
let opened: OpenedEventSource | null = null;
let answer: LogProofAnswer;
try {
  const source = await (
    import(reader.module) as Promise<{ openEventSource(data: unknown): Promise<OpenedEventSource> }>
  ).then((m) => m.openEventSource(reader.data));
  opened = source;
  const proofs = proofsOf(new MerkleTree(await readLeaves(source.source, size)), indexes);
  answer = { root: proofs.root, proofs: [...proofs.proofs] };
} catch (err) {
  const e = err as { code?: unknown; message?: unknown };
  answer = {
    error: {
      code: typeof e.code === 'string' ? e.code : 'internal',
      message: typeof e.message === 'string' ? e.message : String(err),
    },
  };
} finally {
  await opened?.close().catch(() => undefined);
}
parentPort!.postMessage(answer);
