// The append writer in a worker thread: its own connection to the database, one transaction per
// batch, and an answer per batch (ok, or the error message) to the store on the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { AppendBatch } from './append-rows.js';
import { createBatchWriter } from './append-writer.js';

interface Job {
  readonly id: number;
  readonly batch: AppendBatch;
}

const { path, synchronous } = workerData as { path: string; synchronous: 'FULL' | 'NORMAL' };
const db = new Database(path);
db.pragma('journal_mode = WAL');
db.pragma(`synchronous = ${synchronous}`);
db.pragma('busy_timeout = 5000');
const write = createBatchWriter(db);

parentPort!.on('message', (job: Job | 'close') => {
  if (job === 'close') {
    db.close();
    parentPort!.close();
    return;
  }
  try {
    write(job.batch);
    parentPort!.postMessage({ id: job.id, ok: true });
  } catch (err) {
    parentPort!.postMessage({ id: job.id, ok: false, message: (err as Error).message });
  }
});
