// How verification reads the log: batch after batch in index order, each handed to the verifier
// (BatchTaker) whole. Without workers, one batch at a time. With workers that are sent rows
// (streamParallel), a few batches ahead: each is read on this thread through the EventSource port,
// sent to a worker for its stateless checks and Merkle leaves, and taken in log order once its
// answer is in; the verifier's own checks (index continuity, sequence numbers, chain links, payload
// coverage, checkpoints) stay sequential on this thread. With workers that read their own ranges
// (streamRanges), this thread reads nothing: it asks for ranges a few ahead and stitches each
// range's summary on in log order, reading and checking a range itself only when it was not vouched for.
import type { EventSource, RawEventRow } from '../core/ports.js';
import type { BatchCheck } from './verify-batch.js';
import type { CoverageRecords, RangeCheck } from './verify-range.js';
import type { VerifyWorkers } from './verify-workers.js';

export interface BatchTaker {
  /** Events taken so far: the log position of the next one. */
  readonly taken: number;
  /** How often the purge records were read again (a missing payload whose purge came meanwhile). */
  readonly purgeRereads: number;
  /** Checks a batch in order; `check` is what a worker vouches for, null when none did. Throws a Fault. */
  take(rows: readonly RawEventRow[], check: BatchCheck | null): Promise<void>;
}

export interface RangeTaker extends BatchTaker {
  /** The purge records missing payloads are judged by now; their generation is `purgeRereads`. */
  readonly coverageRecords: CoverageRecords;
  /** Takes a range whole when nothing in it can be a fault; false, taking nothing, otherwise. */
  takeRange(check: RangeCheck): boolean;
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
      inFlight.push({ rows, check: workers.check(rows, next, sizesWithin(checkpointSizes, next, end)) });
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
    await taker.take(batch.rows, await answerOf(batch.check));
    onBatch?.();
  }
}

interface RangeInFlight {
  readonly start: number;
  /** The purge records' generation when the range was asked for. */
  readonly generation: number;
  readonly check: Promise<RangeCheck> | null;
}

export async function streamRanges(
  source: EventSource,
  taker: RangeTaker,
  workers: VerifyWorkers,
  /** Ascending: the log sizes at which the verifier needs the Merkle root. */
  checkpointSizes: readonly number[],
  { batchSize, onBatch }: StreamOptions,
): Promise<void> {
  // Two ranges per worker keep each busy while this thread stitches the one before.
  const ahead = 2 * workers.size + 1;
  let inFlight: RangeInFlight[] = [];
  let next = taker.taken;
  for (;;) {
    while (inFlight.length < ahead) {
      const generation = taker.purgeRereads;
      const range = {
        start: next,
        limit: batchSize,
        checkpointSizes: sizesWithin(checkpointSizes, next, next + batchSize),
        generation,
      };
      inFlight.push({ start: next, generation, check: workers.checkRange(range, taker.coverageRecords) });
      next += batchSize;
    }
    const range = inFlight.shift()!;
    if (range.start !== taker.taken) {
      // The range before held fewer events than asked (the end of the log as it was then): ask
      // again from where the log has been taken to. The answers still coming are never awaited.
      inFlight = [];
      next = taker.taken;
      continue;
    }
    const check = await answerOf(range.check);
    if (check !== null && check.read > 0 && taker.takeRange(check)) {
      onBatch?.();
      continue;
    }
    // The end, read when no purge was recorded since: the sequential pass would stop here too.
    if (check !== null && check.read === 0 && range.generation === taker.purgeRereads) return;
    // Not vouched for, or a worker failed: read and check the range here, as without workers.
    const rows = await source.readEvents(range.start, batchSize);
    if (rows.length === 0) return;
    await taker.take(rows, null);
    onBatch?.();
  }
}

/** The sizes strictly between `start` and `end`, of `sizes` (ascending): the roots a batch must give. */
function sizesWithin(sizes: readonly number[], start: number, end: number): number[] {
  let lo = 0;
  let hi = sizes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sizes[mid]! <= start) lo = mid + 1;
    else hi = mid;
  }
  const within: number[] = [];
  for (let i = lo; i < sizes.length && sizes[i]! < end; i++) within.push(sizes[i]!);
  return within;
}

/** A worker that failed leaves its batch to the verifier's thread: the same checks, only slower. */
async function answerOf<T>(check: Promise<T> | null): Promise<T | null> {
  try {
    return check && (await check);
  } catch {
    return null;
  }
}
