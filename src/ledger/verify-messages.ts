// The messages between the verifier's thread and its workers (verify-workers.ts, verify-worker.ts).
import type { EventSourceOpener } from '../core/ports.js';
import type { Depth } from './event-hashes.js';
import type { PackedRows } from './packed-rows.js';
import type { BatchCheck } from './verify-batch.js';
import type { CoverageRecords, RangeCheck } from './verify-range.js';

export interface VerifyWorkerData {
  readonly depth: Depth;
  /** How the worker opens its own reader of the log; null when it is sent rows instead. */
  readonly reader: EventSourceOpener | null;
}

/** Rows this thread read (the events at log positions start, start + 1, ...), for stateless checks. */
export interface RowsTask {
  readonly kind: 'rows';
  readonly id: number;
  readonly start: number;
  readonly rows: PackedRows;
  readonly checkpointSizes: readonly number[];
}

/** A range for the worker to read itself: at most `limit` events from log position `start`. */
export interface RangeTask {
  readonly kind: 'range';
  readonly id: number;
  readonly start: number;
  readonly limit: number;
  readonly checkpointSizes: readonly number[];
  /** The generation of the purge records to judge missing payloads by. */
  readonly generation: number;
  /** Those records, when the worker has not been sent this generation yet; else null. */
  readonly coverage: CoverageRecords | null;
}

/** Release the reader and end the thread. */
export interface CloseTask {
  readonly kind: 'close';
}

export type WorkerTask = RowsTask | RangeTask | CloseTask;

export type WorkerAnswer = 'ready' | { readonly id: number; readonly check: BatchCheck | RangeCheck };
