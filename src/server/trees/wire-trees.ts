// The gateway's reasoning trees: built and kept in their own thread (worker-trees.ts), and built
// ahead of their first reader when a long reasoning session goes quiet (tree-prebuild.ts).
import type { Logger } from 'pino';
import type { TreeReader } from '../../api/routes/tree-reader.js';
import type { VigilConfig } from '../../core/config.js';
import { toVigilError } from '../../core/errors.js';
import type { Recorder } from '../../ledger/recorder.js';
import { TreePrebuilder } from './tree-prebuild.js';
import { WorkerTrees } from './worker-trees.js';

export interface GatewayTrees {
  readonly reader: TreeReader;
  close(): Promise<void>;
}

export function wireTrees(
  config: VigilConfig,
  dataDir: string,
  baseDir: string,
  recorder: Recorder,
  logger: Logger,
): GatewayTrees {
  const { store, durability, append_in_worker, payloads } = config;
  const reader = new WorkerTrees({
    store: { store, durability, append_in_worker, payloads },
    dataDir,
    baseDir,
  });
  const { prebuild_min_calls: minCalls, prebuild_quiet: quietMs } = config.console;
  const prebuilder =
    minCalls > 0
      ? new TreePrebuilder(
          (id) => reader.prebuild(id),
          (err, session) =>
            logger.warn(
              { err: toVigilError(err).message, session },
              'building a reasoning tree ahead failed',
            ),
          { minCalls, quietMs },
        )
      : null;
  if (prebuilder) recorder.onCommit(prebuilder.committed);
  return {
    reader,
    async close() {
      prebuilder?.close();
      await reader.close();
    },
  };
}
