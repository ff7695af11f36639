// When verification uses worker threads, and how many. Every EventSource works with them: this
// thread reads the log through the port and sends the rows (the ledger opens no store itself, and
// a source such as a test's wrapper or the generic Store reader could not be opened again in a
// worker anyway). What stays on this thread alone is a short log, where starting a worker costs
// more than it saves, and a single-core machine (or `workers: 0`), where a worker only competes
// with this thread; then verification runs exactly as it always has (verify-stream.ts).
import { availableParallelism } from 'node:os';
import type { EventSource } from '../core/ports.js';
import type { Depth } from './event-hashes.js';
import { VerifyWorkers } from './verify-workers.js';

export interface ParallelOptions {
  /** Threads beside this one; 0 verifies on this thread alone. By default one per core beyond the first. */
  readonly workers?: number;
  /** Logs shorter than this are verified on this thread alone: starting workers would cost more. */
  readonly minEvents?: number;
  /** Hears each batch's first log position as a worker finishes it, in the order they finish (tests). */
  readonly onBatchChecked?: (start: number) => void;
}

/**
 * Below this many events a worker's start (about 80 ms compiled on this project's two busy cores,
 * 400 ms from source under tsx) is not repaid: this thread alone verifies about 100,000 events/s.
 */
const PARALLEL_FROM = 20_000;
/** Past a few workers this thread's share (reading the log, the sequential checks) is the limit. */
const MAX_WORKERS = 4;

/** Started workers for this log, or null to verify on this thread alone. */
export async function workersFor(
  source: EventSource,
  depth: Depth,
  parallel: ParallelOptions = {},
): Promise<VerifyWorkers | null> {
  const count = parallel.workers ?? Math.min(MAX_WORKERS, availableParallelism() - 1);
  if (count <= 0) return null;
  if ((await source.count()) < (parallel.minEvents ?? PARALLEL_FROM)) return null;
  return VerifyWorkers.start(count, depth, parallel.onBatchChecked);
}
