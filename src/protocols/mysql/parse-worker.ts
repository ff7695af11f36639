// The statement parser in a worker thread (parser-pool.ts): loads node-sql-parser, says it is
// ready, then answers each text with its parse (or null). It keeps no state between texts, so the
// pool may end it mid-parse and start another.
import { parentPort } from 'node:worker_threads';
import { parseStatement } from './statement-parser.js';

interface ParseJob {
  readonly id: number;
  readonly text: string;
}

// Loaded before the pool counts this worker as ready: a parse's time limit never includes the load.
parseStatement('SELECT 1');
parentPort!.postMessage({ ready: true });
parentPort!.on('message', (job: ParseJob) => {
  const parsed = parseStatement(job.text);
  try {
    parentPort!.postMessage({ id: job.id, parsed });
  } catch {
    // A tree that cannot be copied to the gateway's thread is a text Vigil cannot read.
    parentPort!.postMessage({ id: job.id, parsed: null });
  }
});
