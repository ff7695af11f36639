// The gateway's reasoning trees: built and kept in their own thread (worker-trees.ts), and built
// ahead of their first reader when a long reasoning session goes quiet (tree-prebuild.ts) and,
// shortly after a start, for the latest long runs.
import type { Logger } from 'pino';
import type { TreeReader } from '../../api/routes/tree-reader.js';
import type { VigilConfig } from '../../core/config.js';
import { toVigilError } from '../../core/errors.js';
import type { Store } from '../../core/ports.js';
import type { Recorder } from '../../ledger/recorder.js';
import { TreePrebuilder } from './tree-prebuild.js';
import { WorkerTrees } from './worker-trees.js';

export interface GatewayTrees {
  readonly reader: TreeReader;
  close(): Promise<void>;
}

/** How many long runs are built after a start, and how many of each connection's latest sessions are looked at. */
const RECENT_AT_START = 2;
const RECENT_LISTED = 50;

/** The ids of the latest sessions on these connections with at least `minEvents` events, oldest first. */
async function latestLongRuns(
  ledger: Store,
  connections: readonly string[],
  minEvents: number,
): Promise<string[]> {
  const listed = await Promise.all(
    connections.map((connection) => ledger.listSessions({ connection, limit: RECENT_LISTED })),
  );
  return listed
    .flat()
    .filter((s) => s.eventCount >= minEvents)
    .sort((a, b) => b.lastEventAt.localeCompare(a.lastEventAt))
    .slice(0, RECENT_AT_START)
    .reverse()
    .map((s) => s.id);
}

export function wireTrees(
  config: VigilConfig,
  ledger: Store,
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
  if (minCalls === 0) return { reader, close: () => reader.close() };
  let closed = false;
  // A build cut short by the gateway closing is not a failure worth a warning.
  const failed = (err: unknown, session: string) =>
    closed ||
    logger.warn({ err: toVigilError(err).message, session }, 'building a reasoning tree ahead failed');
  const prebuilder = new TreePrebuilder((id) => reader.prebuild(id), failed, { minCalls, quietMs });
  recorder.onCommit(prebuilder.committed);
  // After a start, the latest long runs are the trees people are likeliest to open next. A request
  // and a response per model call; two trees, half of what the tree thread keeps.
  const llm = config.connections.filter((c) => c.type.startsWith('llm-')).map((c) => c.name);
  // Listing is a cheap query here; the tree thread starts only when there is a long run to build.
  const atStart =
    llm.length > 0
      ? setTimeout(async () => {
          for (const id of await latestLongRuns(ledger, llm, 2 * minCalls).catch(() => [])) {
            if (closed) return;
            await reader.prebuild(id).catch((err: unknown) => failed(err, id));
          }
        }, quietMs)
      : null;
  atStart?.unref();
  return {
    reader,
    async close() {
      closed = true;
      if (atStart) clearTimeout(atStart);
      prebuilder.close();
      await reader.close();
    },
  };
}
