// The messages between the gateway and its tree builder thread (tree-worker.ts, worker-trees.ts).
import type { TreeSession } from '../../api/routes/tree-reader.js';
import type { StoreConfig } from '../../store/index.js';

export interface TreeWorkerData {
  readonly store: StoreConfig;
  readonly dataDir: string;
  readonly baseDir: string;
}

export type TreeJob = { readonly id: number } & (
  | { readonly op: 'outline' | 'full' | 'holds'; readonly session: TreeSession }
  | { readonly op: 'node'; readonly session: TreeSession; readonly nodeId: string }
  | { readonly op: 'path'; readonly session: TreeSession; readonly nodeId?: string }
  | { readonly op: 'prebuild'; readonly sessionId: string }
);

export type TreeWorkerAnswer =
  /** The JSON text of an answer, whether a tree is held (`holds`), or null (`prebuild`). */
  | { readonly id: number; readonly ok: true; readonly value: string | boolean | null }
  | {
      readonly id: number;
      readonly ok: false;
      readonly code: string;
      readonly message: string;
      /** This thread cannot serve (its store did not open): the next job needs a new one. */
      readonly restart?: true;
    };
