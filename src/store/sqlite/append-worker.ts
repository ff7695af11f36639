// The append writer in a worker thread: its own connection to the database, one transaction per
// batch, and an answer per batch (ok, or the error message) to the store on the main thread.
// Replica-lease writes run here too: on the main thread their wait for the write lock (held here
// during a commit's fsync) and their own fsync blocked the event loop every few seconds.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { CONTINUES_UNWRITTEN } from '../../core/ports.js';
import type { AppendBatch } from './append-rows.js';
import { createBatchWriter } from './append-writer.js';
import { idleCheckpointer } from './idle-checkpoint.js';
import { SqliteReplicaLeases } from './sqlite-replica-leases.js';
import type { LeaseCall } from './worker-writer.js';

type Job =
  | { readonly id: number; readonly batch: AppendBatch; readonly continues: boolean }
  | { readonly id: number; readonly lease: LeaseCall };

const LEASE_METHODS = new Set(['register', 'renew', 'release', 'list', 'expire', 'adoptOrphans', 'lead']);

const { path, synchronous } = workerData as { path: string; synchronous: 'FULL' | 'NORMAL' };
const db = new Database(path);
db.pragma('journal_mode = WAL');
db.pragma(`synchronous = ${synchronous}`);
db.pragma('busy_timeout = 5000');
const checkpointer = idleCheckpointer(db, path);
const write = createBatchWriter(db);
const leases = new SqliteReplicaLeases(db);
/** Whether the last batch of events was written (checkpoint-only batches do not count). */
let lastEventsWritten = true;

/** The lease methods are async by contract but synchronous on SQLite: run one and take its value. */
async function runLease(call: LeaseCall): Promise<unknown> {
  if (!LEASE_METHODS.has(call.method)) throw new Error(`no lease method ${call.method}`);
  const method = (leases as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[
    call.method
  ]!;
  return method.apply(leases, [...call.args]);
}

parentPort!.on('message', (job: Job | 'close') => {
  if (job === 'close') {
    checkpointer.close();
    db.close();
    parentPort!.close();
    return;
  }
  const fail = (err: unknown) =>
    parentPort!.postMessage({ id: job.id, ok: false, message: (err as Error).message });
  if ('lease' in job) {
    runLease(job.lease).then((value) => parentPort!.postMessage({ id: job.id, ok: true, value }), fail);
    checkpointer.afterWrite(0);
    return;
  }
  const events = job.batch.events.length > 0;
  try {
    if (events && job.continues && !lastEventsWritten) throw new Error(CONTINUES_UNWRITTEN);
    if (events) lastEventsWritten = false;
    write(job.batch);
    if (events) lastEventsWritten = true;
    parentPort!.postMessage({ id: job.id, ok: true });
  } catch (err) {
    fail(err);
  }
  checkpointer.afterWrite(job.batch.events.length);
});
