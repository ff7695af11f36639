// A verification worker thread (started by verify-workers.ts): checks each task it is sent, in the
// order sent, and answers with what it vouches for. Sent rows, it runs the stateless checks
// (verify-batch.ts); given a reader of the log (workerData.reader), it reads ranges itself and
// checks them as far as a range alone can be checked (verify-range.ts).
import { parentPort, workerData } from 'node:worker_threads';
import type { OpenedEventSource } from '../core/ports.js';
import { EventHashes } from './event-hashes.js';
import { unpackRows } from './packed-rows.js';
import { PurgeCoverage } from './purge-record.js';
import { checkBatch } from './verify-batch.js';
import type { RangeTask, VerifyWorkerData, WorkerAnswer, WorkerTask } from './verify-messages.js';
import { type CoverageRecords, checkRange, type RangeCheck } from './verify-range.js';

const port = parentPort!;
const { depth, reader } = workerData as VerifyWorkerData;
const hashes = new EventHashes();
// Thrown here, a store that does not open fails the worker's start: the verifier then goes on without.
const opened: OpenedEventSource | null = reader
  ? await (
      import(reader.module) as Promise<{ openEventSource(data: unknown): Promise<OpenedEventSource> }>
    ).then((m) => m.openEventSource(reader.data))
  : null;

let records: CoverageRecords = [];
let generation = -1;
let coverage = new PurgeCoverage([]);
/** Coverage is asked in increasing index order: a range before the last one starts it afresh. */
let coveredUpTo = 0;

async function rangeCheck(task: RangeTask): Promise<RangeCheck> {
  if (task.coverage !== null) records = task.coverage;
  if (task.generation !== generation || task.start < coveredUpTo) {
    generation = task.generation;
    coverage = new PurgeCoverage(records);
  }
  coveredUpTo = task.start + task.limit;
  const rows = await opened!.source.readEvents(task.start, task.limit);
  return checkRange(rows, task.start, {
    depth,
    hashes,
    coverage,
    generation,
    checkpointSizes: task.checkpointSizes,
  });
}

// One task at a time, in the order sent: a range's reads never interleave with the next range's.
let queue = Promise.resolve();
port.on('message', (task: WorkerTask) => {
  queue = queue.then(async () => {
    switch (task.kind) {
      case 'rows': {
        const check = checkBatch(
          unpackRows(task.rows, task.start),
          task.start,
          task.checkpointSizes,
          depth,
          hashes,
        );
        port.postMessage({ id: task.id, check } satisfies WorkerAnswer);
        return;
      }
      case 'range':
        port.postMessage({ id: task.id, check: await rangeCheck(task) } satisfies WorkerAnswer);
        return;
      case 'close':
        await opened?.close();
        process.exit(0);
    }
  });
});
port.postMessage('ready' satisfies WorkerAnswer);
