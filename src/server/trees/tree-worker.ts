// The tree builder's thread: it opens the store for reading as the gateway configured it (its own
// SQLite connection, or its own small PostgreSQL pool), keeps the last few trees (LocalTrees) and
// answers each job with the JSON text of its answer, or the error's stable code and message.
import { parentPort, workerData } from 'node:worker_threads';
import { LocalTrees, type TreeReader } from '../../api/routes/tree-reader.js';
import { toVigilError } from '../../core/errors.js';
import { JsonText } from '../../http/json-response.js';
import { openStore } from '../../store/index.js';
import type { TreeJob, TreeWorkerAnswer, TreeWorkerData } from './tree-jobs.js';

const port = parentPort!;
const { store: storeConfig, dataDir, baseDir } = workerData as TreeWorkerData;
const trees: Promise<TreeReader> = openStore(storeConfig, dataDir, baseDir, { reader: true }).then(
  (bundle) => new LocalTrees(bundle.ledger, bundle.moduleState),
);
// A store that does not open fails each job with its error, marked so the gateway starts a new
// thread for the next one (the database may be back by then).
let unopened = false;
trees.catch(() => {
  unopened = true;
});

function run(reader: TreeReader, job: TreeJob) {
  switch (job.op) {
    case 'outline':
      return reader.outline(job.session);
    case 'node':
      return reader.node(job.session, job.nodeId);
    case 'full':
      return reader.full(job.session);
    case 'path':
      return reader.path(job.session, job.nodeId);
    case 'holds':
      return reader.holds(job.session);
    case 'prebuild':
      return reader.prebuild(job.sessionId).then(() => null);
  }
}

// The gateway stops this thread with terminate(): it only reads, so there is nothing to finish.
port.on('message', async (job: TreeJob) => {
  let answer: TreeWorkerAnswer;
  try {
    const value = await run(await trees, job);
    answer = { id: job.id, ok: true, value: value instanceof JsonText ? value.text : value };
  } catch (err) {
    const e = toVigilError(err);
    answer = {
      id: job.id,
      ok: false,
      code: e.code,
      message: e.message,
      ...(unopened ? { restart: true } : {}),
    };
  }
  port.postMessage(answer);
});
