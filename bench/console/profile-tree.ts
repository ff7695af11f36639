// The server side of opening a reasoning tree with a cold cache, phase by phase: reading the
// session's events, reading the same identity's other sessions for actions, rebuilding the tree and
// linking actions, cutting the outline, and serializing it (what GET /api/sessions/:id/tree?outline=1
// does on a cache miss); `cpu` is the process's CPU time over the whole rebuild, garbage collection
// included, the figure to compare on a shared machine. Then the longest stall of the event loop
// during one cold build, in the gateway's thread and in its tree thread. The ToT session is recorded once through a gateway into --data DIR and reused
// by later runs. Run it under `node --cpu-prof` to see where the time goes.
// Usage: node --import tsx [--cpu-prof --cpu-prof-dir DIR] bench/console/profile-tree.ts --data DIR [--calls 10000] [--runs 5]
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import OpenAI from 'openai';
import { treeOutline } from '../../src/api/routes/tree-outline.js';
import { LocalTrees } from '../../src/api/routes/tree-reader.js';
import { actionEventsAround, sessionTreeJson, TREE_EVENTS } from '../../src/reasoning/index.js';
import { WorkerTrees } from '../../src/server/trees/worker-trees.js';
import { startTestGateway, TOKENS } from '../../test/support/gateway.js';
import { canReach24 } from '../../test/workloads/game24/arith.js';
import { solveGame24 } from '../../test/workloads/game24/bfs.js';
import { game24Reply } from '../../test/workloads/game24/model.js';
import { startWorkloadModel } from '../../test/workloads/model-server.js';
import { lastUserText, seededRandom } from '../../test/workloads/scripted-model.js';

function arg(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : undefined;
}
const dataDir = arg('data');
if (!dataDir) throw new Error('--data DIR is required (the recorded session is kept there)');
const targetCalls = Number(arg('calls') ?? 10_000);
const runs = Number(arg('runs') ?? 5);
const fresh = !existsSync(join(dataDir, 'vigil.db'));
mkdirSync(dataDir, { recursive: true });

let sample = 0;
const model = await startWorkloadModel((request, choice) => ({
  content: game24Reply(lastUserText(request), choice * 1000 + sample++),
}));
const gateway = await startTestGateway(
  {
    // Nothing built ahead: this measures cold builds, and a build at start would compete for the CPU.
    console: { prebuild_min_calls: 0 },
    connections: [
      { name: 'oa', type: 'llm-openai', upstream: model.baseURL.replace(/\/v1$/, ''), allow: ['*'] },
    ],
  },
  dataDir,
);
if (fresh) {
  const client = new OpenAI({
    baseURL: `${gateway.url}/c/oa/v1`,
    apiKey: TOKENS.alice,
    maxRetries: 0,
    defaultHeaders: { 'x-vigil-session': 'bench-console-tot' },
  });
  const random = seededRandom(24);
  let calls = 0;
  while (calls < targetCalls) {
    const numbers = Array.from({ length: 4 }, () => 1 + Math.floor(random() * 13));
    if (!canReach24(numbers)) continue;
    calls += (await solveGame24(client, numbers.join(' '), { hints: false })).log.responseIds.length;
  }
  await gateway.recorder.drain();
}
const store = gateway.store.ledger;
const session = (await store.listSessions({ connection: 'oa', limit: 10 })).sort(
  (a, b) => b.eventCount - a.eventCount,
)[0]!;

const phases: Record<string, number[]> = {
  read: [],
  actions: [],
  tree: [],
  outline: [],
  json: [],
  total: [],
  cpu: [],
};
let bytes = 0;
for (let r = 0; r < runs; r++) {
  // Let the gateway's own start-up work (checkpoint catch-up) finish outside the timed phases.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  // As the route reads it: only the events and payload members the tree uses (TREE_EVENTS).
  const events = await store.readSessionContent(session.id, TREE_EVENTS);
  const t1 = performance.now();
  const around = await actionEventsAround(store, session);
  const t2 = performance.now();
  const json = sessionTreeJson(session.id, events, around);
  const t3 = performance.now();
  const outline = treeOutline(json);
  const t4 = performance.now();
  bytes = JSON.stringify(outline).length;
  const t5 = performance.now();
  phases.read!.push(t1 - t0);
  phases.actions!.push(t2 - t1);
  phases.tree!.push(t3 - t2);
  phases.outline!.push(t4 - t3);
  phases.json!.push(t5 - t4);
  phases.total!.push(t5 - t0);
  const cpu = process.cpuUsage(cpu0);
  phases.cpu!.push((cpu.user + cpu.system) / 1000);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  `session ${session.id}: ${session.eventCount} events, outline ${(bytes / 1e6).toFixed(1)} MB; median of ${runs} (ms): ` +
    Object.entries(phases)
      .map(([k, v]) => `${k} ${median(v).toFixed(0)}`)
      .join(', '),
);

// The gateway's event loop while a cold tree is built: in the gateway's own thread (where the routes
// built trees before the tree thread) and in a new tree thread (its start included). Every request
// the gateway proxies waits for the longest of these stalls.
async function worstStall(build: () => Promise<unknown>): Promise<number> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  // Its timer starts with the next turn of the loop: a stall before that would go unseen.
  await new Promise((resolve) => setTimeout(resolve, 20));
  await build();
  // The histogram records a stall when its timer finally runs, after the stall.
  await new Promise((resolve) => setTimeout(resolve, 20));
  delay.disable();
  return delay.max / 1e6;
}
const inThread = await worstStall(() => new LocalTrees(store, gateway.store.moduleState).outline(session));
const trees = new WorkerTrees({ store: gateway.config, dataDir, baseDir: process.cwd() });
let threadMs = 0;
const offThread = await worstStall(async () => {
  const t0 = performance.now();
  await trees.outline(session);
  threadMs = performance.now() - t0;
});
await trees.close();
console.log(
  `event loop during one cold build: longest stall ${inThread.toFixed(0)} ms built in the gateway's thread, ` +
    `${offThread.toFixed(0)} ms built in the tree thread (which answered in ${threadMs.toFixed(0)} ms, its start included)`,
);
await gateway.close();
await model.close();
