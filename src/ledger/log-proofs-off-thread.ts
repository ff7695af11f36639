// Proofs built in a worker thread of their own (log-proof-worker.ts), one at a time per gateway: a
// proof reads and hashes the whole log up to a checkpoint, so on the event loop an export or a
// session's check stalled every other session for as long (hundreds of milliseconds at ten
// thousand events, growing with the ledger), and callers asking together could hold both cores.
import { ERROR_CODES, type ErrorCode, VigilError } from '../core/errors.js';
import type { EventSourceOpener } from '../core/ports.js';
import { startModuleWorker } from '../runtime/module-worker.js';
import type { LogProofAnswer, LogProofTask } from './log-proof-messages.js';
import type { LogProofs, ProveLog } from './log-proofs.js';

export function proveOffThread(reader: EventSourceOpener): ProveLog {
  let queue: Promise<unknown> = Promise.resolve();
  return (size, indexes) => {
    const run = queue.then(() => proveInWorker({ reader, size, indexes }));
    queue = run.catch(() => undefined);
    return run;
  };
}

function proveInWorker(task: LogProofTask): Promise<LogProofs> {
  return new Promise((resolve, reject) => {
    const worker = startModuleWorker(import.meta.url, 'log-proof-worker', { workerData: task });
    let answered = false;
    worker.once('message', (answer: LogProofAnswer) => {
      answered = true;
      if ('error' in answer) {
        const code = answer.error.code in ERROR_CODES ? (answer.error.code as ErrorCode) : 'internal';
        reject(new VigilError(code, answer.error.message));
      } else {
        resolve({ root: answer.root, proofs: new Map(answer.proofs) });
      }
    });
    worker.once('error', (err) => {
      if (!answered) reject(new VigilError('internal', `the log-proof worker failed: ${err.message}`));
    });
    worker.once('exit', (code) => {
      if (!answered)
        reject(new VigilError('internal', `the log-proof worker exited (${code}) without an answer`));
    });
  });
}
