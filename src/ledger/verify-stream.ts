// How verification reads the log: batch after batch in index order, each handed to the verifier
// (BatchTaker) whole. Without workers, one batch at a time. With workers, a few batches ahead: each
// is read on this thread through the EventSource port (the ledger opens no store itself, so every
// implementation of the port works alike, wrappers included), sent to a worker for its stateless
// checks and Merkle leaves, and taken in log order once its answer is in. The verifier's own
// checks (index continuity, sequence numbers, chain links, payload coverage, checkpoints) stay
// sequential on this thread.
import type { EventSource, RawEventRow } from '../core/ports.js';
import type { BatchCheck } from './verify-batch.js';
import type { VerifyWorkers } from './verify-workers.js';

export interface BatchTaker {
  /** Events taken so far: the log position of the next one. */
  readonly taken: number;
  /** How often the purge records were read again (a missing payload whose purge came meanwhile). */
  readonly purgeRereads: number;
  /** Checks a batch in order; `check` is what a worker vouches for, null when none did. Throws a Fault. */
  take(rows: readonly RawEventRow[], check: BatchCheck | null): Promise<void>;
}

export interface StreamOptions {
  readonly batchSize: number;
  /** Called after each batch taken. */
  readonly onBatch?: () => void;
}

export async function streamSequential(
  source: EventSource,
  taker: BatchTaker,
  { batchSize, onBatch }: StreamOptions,
): Promise<void> {
  for (;;) {
    const rows = await source.readEvents(taker.taken, batchSize);
    if (rows.length === 0) return;
    await taker.take(rows, null);
    onBatch?.();
  }
}

interface InFlight {
  readonly rows: readonly RawEventRow[];
  readonly check: Promise<BatchCheck> | null;
}

export async function streamParallel(
  source: EventSource,
  taker: BatchTaker,
  workers: VerifyWorkers,
  /** Ascending: the log sizes at which the verifier needs the Merkle root. */
  checkpointSizes: readonly number[],
  { batchSize, onBatch }: StreamOptions,
): Promise<void> {
  // Two batches per worker keep each busy while the verifier takes the one before.
  const ahead = 2 * workers.size + 1;
  const inFlight: InFlight[] = [];
  let next = taker.taken;
  let nextSize = 0;
  /** The purge rereads done when the end of the log was read; null while reading on. */
  let endRead: number | null = null;
  for (;;) {
    while (endRead === null && inFlight.length < ahead) {
      const rows = await source.readEvents(next, batchSize);
      if (rows.length === 0) {
        endRead = taker.purgeRereads;
        break;
      }
      const end = next + rows.length;
      while (nextSize < checkpointSizes.length && checkpointSizes[nextSize]! <= next) nextSize++;
      const sizes: number[] = [];
      for (let i = nextSize; i < checkpointSizes.length && checkpointSizes[i]! < end; i++) {
        sizes.push(checkpointSizes[i]!);
      }
      inFlight.push({ rows, check: workers.check(rows, next, sizes) });
      next = end;
    }
    const batch = inFlight.shift();
    if (batch === undefined) {
      // A purge recorded after the end was read may be named by a record beyond it, which the
      // sequential pass, reading later, would reach: read on.
      if (endRead !== null && endRead !== taker.purgeRereads) {
        endRead = null;
        continue;
      }
      return;
    }
    await taker.take(batch.rows, await answerOf(batch));
    onBatch?.();
  }
}

/** A worker that failed leaves its batch to the verifier's thread: the same checks, only slower. */
async function answerOf(batch: InFlight): Promise<BatchCheck | null> {
  try {
    return batch.check && (await batch.check);
  } catch {
    return null;
  }
}
