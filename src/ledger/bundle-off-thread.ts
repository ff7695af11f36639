// A running gateway's work on export bundles in a worker thread of its own, one at a time: checking
// a bundle parses, re-encodes and hashes every event, and the admin API's answer parses and
// re-serializes it, each on the event loop for about as long as the bundle is large (over half a
// second for a 20 MB session its own user could fill and ask for in a loop). The text crosses to
// the worker in pieces, the thread given back between them: copying 20 MB to a worker in one
// message held this thread for 150 ms on the bench machine. The answer comes back whole (a report,
// or the text, whose copy on arrival is much cheaper).

import type { Worker } from 'node:worker_threads';
import { ERROR_CODES, type ErrorCode, VigilError } from '../core/errors.js';
import { startModuleWorker } from '../runtime/module-worker.js';
import { nextTurn } from './bundle-pages.js';
import type { BundleReport } from './bundle-verify.js';
import type { BundleWorkAnswer, BundleWorkTask } from './bundle-work-messages.js';

export interface BundleWork {
  /** verifyBundle(text), with no trusted keys. */
  verify(text: string): Promise<BundleReport>;
  /** JSON.stringify(JSON.parse(text)): the bundle as the admin API has always answered it. */
  json(text: string): Promise<string>;
}

export function bundleWorkOffThread(): BundleWork {
  let queue: Promise<unknown> = Promise.resolve();
  const run = (work: BundleWorkTask['work'], text: string) => {
    const next = queue.then(() => inWorker(work, text));
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    verify: async (text) => (await run('verify', text)) as BundleReport,
    json: async (text) => (await run('json', text)) as string,
  };
}

/** Characters of the text copied to the worker in one message. */
const PIECE_CHARS = 256 * 1024;

function inWorker(work: BundleWorkTask['work'], text: string): Promise<BundleReport | string> {
  const task: BundleWorkTask = { work };
  const worker = startModuleWorker(import.meta.url, 'bundle-worker', { workerData: task });
  const answer = new Promise<BundleReport | string>((resolve, reject) => {
    let answered = false;
    worker.once('message', (answer: BundleWorkAnswer) => {
      answered = true;
      if ('error' in answer) {
        const code = answer.error.code in ERROR_CODES ? (answer.error.code as ErrorCode) : 'internal';
        reject(new VigilError(code, answer.error.message));
      } else {
        resolve('report' in answer ? answer.report : answer.text);
      }
    });
    worker.once('error', (err) => {
      if (!answered) reject(new VigilError('internal', `the bundle worker failed: ${err.message}`));
    });
    worker.once('exit', (code) => {
      if (!answered)
        reject(new VigilError('internal', `the bundle worker exited (${code}) without an answer`));
    });
  });
  // Handled here too: a worker failing while the text is still being sent would otherwise reject
  // with no handler yet, which ends the process.
  answer.catch(() => undefined);
  return send(worker, text).then(() => answer);
}

async function send(worker: Worker, text: string): Promise<void> {
  for (let at = 0; at < text.length; at += PIECE_CHARS) {
    // A piece may end between the halves of a surrogate pair: strings cross as UTF-16 code units,
    // and the worker joins them back before reading any.
    worker.postMessage(text.slice(at, at + PIECE_CHARS));
    await nextTurn();
  }
  worker.postMessage(null);
}
