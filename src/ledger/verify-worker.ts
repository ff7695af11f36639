// A verification worker thread (started by verify-workers.ts): checks each batch it is sent, in
// the order sent, and answers with what it vouches for (verify-batch.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { type Depth, EventHashes } from './event-hashes.js';
import { unpackRows } from './packed-rows.js';
import { checkBatch } from './verify-batch.js';
import type { BatchTask, WorkerAnswer } from './verify-workers.js';

const port = parentPort!;
const depth = workerData as Depth;
const hashes = new EventHashes();

port.on('message', (task: BatchTask) => {
  const rows = unpackRows(task.rows, task.start);
  const answer: WorkerAnswer = {
    id: task.id,
    check: checkBatch(rows, task.start, task.checkpointSizes, depth, hashes),
  };
  port.postMessage(answer);
});
port.postMessage('ready' satisfies WorkerAnswer);
