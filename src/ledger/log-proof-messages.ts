// What crosses to and from the log-proof worker (log-proof-worker.ts), by structured cloning.
import type { EventSourceOpener } from '../core/ports.js';

export interface LogProofTask {
  readonly reader: EventSourceOpener;
  readonly size: number;
  readonly indexes: readonly number[];
}

export type LogProofAnswer =
  | { readonly root: string; readonly proofs: [number, readonly string[]][] }
  | { readonly error: { readonly code: string; readonly message: string } };
