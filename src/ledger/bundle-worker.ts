// A worker thread that does one piece of CPU work on an export bundle's text and exits: checks it
// (verifyBundle) or spells it as the admin API's JSON answer. Each takes time in proportion to the
// bundle, tens of megabytes for a session its user filled (bundle-off-thread.ts). The text arrives
// in pieces, then `null`.
import { parentPort, workerData } from 'node:worker_threads';
import { verifyBundle } from './bundle-verify.js';
import type { BundleWorkAnswer, BundleWorkTask } from './bundle-work-messages.js';

const { work } = workerData as BundleWorkTask;
const pieces: string[] = [];
parentPort!.on('message', (piece: string | null) => {
  if (piece !== null) {
    pieces.push(piece);
    return;
  }
  parentPort!.postMessage(answer(pieces.join('')));
  parentPort!.close();
});

function answer(text: string): BundleWorkAnswer {
  try {
    return work === 'verify'
      ? { report: verifyBundle(text) }
      : // The answer the route gave when it parsed the bundle and the response serialized it.
        { text: JSON.stringify(JSON.parse(text)) };
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown };
    return {
      error: {
        code: typeof e.code === 'string' ? e.code : 'internal',
        message: typeof e.message === 'string' ? e.message : String(err),
      },
    };
  }
}
