// Benchmark: the web console in headless Chromium against a real gateway. (1) A Tree-of-Thoughts
// session of about 10,000 model calls, recorded through the gateway (the Game of 24 BFS workload
// against the stand-in model): the time from navigation until its tree is drawn, and from a click
// on a node until its prompt shows. (2) A ledger of 100,000 sessions: the time from navigation until
// the first page of the session list is drawn. Writes the "## Web console" section of bench/RESULTS.md.
// The tree is opened first as people open it after a run (the gateway built it ahead once the run
// went quiet, in its tree thread), then again; after a gateway restart (which builds the latest long
// runs ahead); and after a restart with building ahead off, when the first open pays the rebuild.
// Usage: node --import tsx bench/console/run.ts [--calls 10000] [--sessions 100000] [--runs 3]
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import OpenAI from 'openai';
import type { Page } from 'playwright-core';
import { buildConsole, launchChromium } from '../../test/console/support/browser.js';
import { startTestGateway, TOKENS } from '../../test/support/gateway.js';
import { canReach24 } from '../../test/workloads/game24/arith.js';
import { solveGame24 } from '../../test/workloads/game24/bfs.js';
import { game24Reply } from '../../test/workloads/game24/model.js';
import { startWorkloadModel } from '../../test/workloads/model-server.js';
import { lastUserText, seededRandom } from '../../test/workloads/scripted-model.js';
import { writeResultsSection } from '../support/results-file.js';

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}
const targetCalls = arg('calls', 10_000);
const targetSessions = arg('sessions', 100_000);
const runs = arg('runs', 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

let sample = 0;
const model = await startWorkloadModel((request, choice) => ({
  content: game24Reply(lastUserText(request), choice * 1000 + sample++),
}));
process.env.VIGIL_CONSOLE_DIR = buildConsole();
const settings = {
  connections: [
    { name: 'oa', type: 'llm-openai', upstream: model.baseURL.replace(/\/v1$/, ''), allow: ['*'] },
  ],
};
let gateway = await startTestGateway(settings);

// (2) first: 100,000 short sessions (start and end), through the gateway's session manager.
const seedStart = performance.now();
for (let i = 0; i < targetSessions; i += 500) {
  await Promise.all(
    Array.from({ length: Math.min(500, targetSessions - i) }, async (_, k) => {
      const session = await gateway.sessions.open({
        connection: 'pg-bench',
        protocol: 'postgres',
        identity: { subject: `user${(i + k) % 97}`, kind: 'user', groups: [] },
      });
      await gateway.sessions.end(session, 'closed');
    }),
  );
}
await gateway.recorder.drain();
const seedMs = performance.now() - seedStart;

// (1) One ToT session of about `targetCalls` model calls, recorded through the gateway.
const client = new OpenAI({
  baseURL: `${gateway.url}/c/oa/v1`,
  apiKey: TOKENS.alice,
  maxRetries: 0,
  defaultHeaders: { 'x-vigil-session': 'bench-console-tot' },
});
const random = seededRandom(24);
let calls = 0;
const recordStart = performance.now();
while (calls < targetCalls) {
  const numbers = Array.from({ length: 4 }, () => 1 + Math.floor(random() * 13));
  if (!canReach24(numbers)) continue;
  calls += (await solveGame24(client, numbers.join(' '), { hints: false })).log.responseIds.length;
}
await gateway.recorder.drain();
const recordMs = performance.now() - recordStart;
const tot = (await gateway.store.ledger.listSessions({ connection: 'oa', limit: 10 }))[0]!;
// The gateway builds the tree ahead once the run has been quiet (console.prebuild_quiet, 2 s).
while (!(await gateway.trees.holds(tot))) await new Promise((r) => setTimeout(r, 20));
const aheadMs = performance.now() - recordStart - recordMs;

const browser = await launchChromium();
const context = await browser.newContext();
const page = await context.newPage();
async function signIn(): Promise<void> {
  await page.goto(`${gateway.url}/`);
  // The cookie is per host, not per port: after a restart on another port it may still sign us in.
  await page.locator('#token, [data-testid=who]').first().waitFor();
  if (await page.getByTestId('who').isVisible()) return;
  await page.locator('#token').fill(TOKENS.alice);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByTestId('who').waitFor();
}
await signIn();

/** Milliseconds from the navigation's start until `selector` is in the page (checked every frame). */
async function timeUntil(p: Page, url: string, selector: string): Promise<number> {
  await p.goto('about:blank');
  await p.goto(url, { waitUntil: 'commit' });
  await p.waitForSelector(selector, { timeout: 120_000 });
  // A string, not a function: tsx's transform would add helpers the page does not have.
  return p.evaluate(`new Promise((resolve) => {
    const check = () => (document.querySelector(${JSON.stringify(selector)}) ? resolve(performance.now()) : requestAnimationFrame(check));
    check();
  })`);
}

/** The admin API calls the page made, with when they started and how long they took (ms). */
async function apiCalls(p: Page): Promise<string> {
  const entries = (await p.evaluate(
    `performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/')).map((e) => [new URL(e.name).pathname.replace(/ses_[A-Za-z0-9_-]+/, ':id'), Math.round(e.startTime), Math.round(e.duration)])`,
  )) as [string, number, number][];
  return entries.map(([path, start, ms]) => `${path} at ${start} ms took ${ms} ms`).join('; ');
}

const listTimes: number[] = [];
let listApi = '';
let treeApi = '';
const treeTimes: number[] = [];
const clickTimes: number[] = [];
let drawn = 0;
let nodes = 0;
for (let r = 0; r < runs; r++) {
  listTimes.push(await timeUntil(page, `${gateway.url}/sessions`, '[data-testid=session-row]'));
  listApi = await apiCalls(page);
  treeTimes.push(
    await timeUntil(page, `${gateway.url}/sessions/${tot.id}?tab=tree`, '[data-testid=tree-node]'),
  );
  treeApi = await apiCalls(page);
  nodes = Number(await page.getByTestId('tree-view').getAttribute('data-nodes'));
  drawn = Number(await page.getByTestId('tree-view').getAttribute('data-drawn'));
  const t0 = performance.now();
  await page.getByTestId('tree-node').nth(2).click();
  await page.getByTestId('node-prompt').waitFor();
  clickTimes.push(performance.now() - t0);
}
// A restart: the gateway builds the latest long runs ahead shortly after it starts.
const dataDir = gateway.dataDir;
async function restart(prebuildMinCalls: number): Promise<void> {
  await gateway.close();
  gateway = await startTestGateway(
    { ...settings, console: { prebuild_min_calls: prebuildMinCalls } },
    dataDir,
  );
  await signIn();
}
const treeUrl = () => `${gateway.url}/sessions/${tot.id}?tab=tree`;
const startedAt = performance.now();
await restart(500);
const restarted = (await gateway.store.ledger.getSession(tot.id))!;
while (!(await gateway.trees.holds(restarted))) await new Promise((r) => setTimeout(r, 20));
const atStartMs = performance.now() - startedAt;
const restartTree = await timeUntil(page, treeUrl(), '[data-testid=tree-node]');
// With building ahead off, the first open rebuilds the tree (in the gateway's tree thread).
await restart(0);
const coldTree = await timeUntil(page, treeUrl(), '[data-testid=tree-node]');
const coldApi = await apiCalls(page);
await browser.close();
await gateway.close();
await model.close();

const body = [
  `Command: \`node --import tsx bench/console/run.ts --calls ${targetCalls} --sessions ${targetSessions} --runs ${runs}\``,
  '',
  `Headless Chromium (${'/usr/bin/chromium'}) against a real gateway (SQLite ledger) serving the built console. ` +
    `The ToT session: ${calls} model calls of the Game of 24 BFS workload recorded through the gateway in ` +
    `${(recordMs / 1000).toFixed(1)} s (${nodes} tree nodes). The list: ${targetSessions} sessions (start and end ` +
    `events) opened through the gateway's session manager in ${(seedMs / 1000).toFixed(1)} s, newest first, 200 per page.`,
  '',
  '| measure (median of ' + runs + ', from navigation start) | value | target |',
  '| --- | --- | --- |',
  `| first page of the ${targetSessions.toLocaleString('en')}-session list drawn | ${median(listTimes).toFixed(0)} ms (${listTimes.map((x) => x.toFixed(0)).join(', ')}) | ≤ 500 ms |`,
  `| ${calls}-call tree drawn, first open after the run (fetch, layout in a Web Worker, ${drawn} of ${nodes} nodes in view drawn) | ${treeTimes[0]!.toFixed(0)} ms | ≤ 1000 ms |`,
  `| the same tree, all ${runs} opens | ${median(treeTimes).toFixed(0)} ms (${treeTimes.map((x) => x.toFixed(0)).join(', ')}) | ≤ 1000 ms |`,
  `| the same tree, first open after a gateway restart (built ahead at start as the latest long run) | ${restartTree.toFixed(0)} ms | ≤ 1000 ms |`,
  `| the same tree, first open with building ahead off (\`prebuild_min_calls: 0\`: rebuilt on request) | ${coldTree.toFixed(0)} ms | |`,
  `| click on a node until its prompt shows (measured from the test driver) | ${median(clickTimes).toFixed(0)} ms | |`,
  '',
  `The gateway built the tree ahead in its tree thread ${(aheadMs / 1000).toFixed(1)} s after the run's last ` +
    'call (of which 2 s is the quiet it waits for, console.prebuild_quiet), before the browser opened it; ' +
    'an open then costs reading, recording and sending the outline, parsing it, the layout in the ' +
    "page's Web Worker and the first draw. After a restart the gateway built it " +
    `${(atStartMs / 1000).toFixed(1)} s after the restart began (closing the old gateway, starting the new one ` +
    'and signing in; 2 s of it is the same wait). With building ahead ' +
    'off, or for a session that is neither recent nor recorded by this gateway, the first open also pays the rebuild.',
  '',
  `Where the time went (last run): list: ${listApi}. Tree: ${treeApi}. Rebuilt on request: ${coldApi}.`,
  '',
  `Machine: ${os.cpus()[0]?.model ?? 'unknown'} (${os.cpus().length} cores, shared), Node ${process.version}; ` +
    `load average ${os.loadavg()[0]!.toFixed(1)} when measured.`,
].join('\n');
writeResultsSection('Web console', body);
console.log(body);
