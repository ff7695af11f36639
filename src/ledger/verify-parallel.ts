// When verification uses worker threads, how many, and how they get the rows. Given a reader
// (ParallelOptions.reader: how a worker opens its own EventSource, which whoever opened the store
// supplies, as the CLI does), each worker reads its own ranges of the log and this thread only
// stitches their summaries, so it reads no rows but those of a range a worker could not vouch for.
// Without one (a test's wrapper source, the generic Store reader: nothing a worker could open
// again), this thread reads the log through the port and sends the rows. What stays on this thread
// alone is a short log, where starting a worker costs more than it saves, and a single-core machine
// (or `workers: 0`), where a worker only competes with this thread; then verification runs exactly
// as it always has (verify-stream.ts).
import { availableParallelism } from 'node:os';
import type { EventSource, EventSourceOpener } from '../core/ports.js';
import type { Depth } from './event-hashes.js';
import { type BatchCheckedHook, VerifyWorkers } from './verify-workers.js';

export interface ParallelOptions {
  /**
   * Threads beside this one; 0 verifies on this thread alone. By default one per core when workers
   * read their own ranges (this thread then mostly waits), else one per core beyond the first.
   */
  readonly workers?: number;
  /** Logs shorter than this are verified on this thread alone: starting workers would cost more. */
  readonly minEvents?: number;
  /** How a worker opens its own reader of this log; absent, workers are sent the rows this thread reads. */
  readonly reader?: EventSourceOpener;
  /**
   * Hears each batch's first log position as a worker finishes it, in the order they finish; a
   * promise it returns holds that batch's answer until it settles (tests: a later batch answered first).
   */
  readonly onBatchChecked?: BatchCheckedHook;
}

/**
 * Below this many events a worker's start (about 80 ms compiled on this project's two busy cores,
 * 400 ms from source under tsx) is not repaid: this thread alone verifies about 100,000 events/s.
 */
const PARALLEL_FROM = 20_000;
/** Past a few workers the store's reads (one disk, one database) or this thread's share are the limit. */
const MAX_WORKERS = 4;

/** Started workers for this log, or null to verify on this thread alone. */
export async function workersFor(
  source: EventSource,
  depth: Depth,
  parallel: ParallelOptions = {},
): Promise<VerifyWorkers | null> {
  const reader = parallel.reader ?? null;
  const cores = availableParallelism();
  const count = parallel.workers ?? (cores <= 1 ? 0 : Math.min(MAX_WORKERS, reader ? cores : cores - 1));
  if (count <= 0) return null;
  if ((await source.count()) < (parallel.minEvents ?? PARALLEL_FROM)) return null;
  const reading = reader && (await VerifyWorkers.start(count, depth, parallel.onBatchChecked, reader));
  // A worker that cannot open the store (a database it may not reach) still hashes the rows sent to it.
  return reading || VerifyWorkers.start(count, depth, parallel.onBatchChecked);
}
