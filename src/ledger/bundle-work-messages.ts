// What crosses to and from the bundle worker (bundle-worker.ts), by structured cloning.
import type { BundleReport } from './bundle-verify.js';

/** The worker's workerData; the bundle's text follows as messages, pieces of it then `null`. */
export interface BundleWorkTask {
  readonly work: 'verify' | 'json';
}

export type BundleWorkAnswer =
  | { readonly report: BundleReport }
  | { readonly text: string }
  | { readonly error: { readonly code: string; readonly message: string } };
