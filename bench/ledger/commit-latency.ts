// Latency of single durable commits, one after another (a client in a loop: no group commit to
// hide a slow one), through Recorder and the store as the gateway opens it (SQLite, append worker).
// Prints p50, p99, p99.9 and the worst commit: a WAL checkpoint inside a commit shows in the tail.
// Also the CPU per commit, this process's and its busiest threads' (comparable on a loaded machine).
//   node --import tsx bench/ledger/commit-latency.ts [events] [full|normal] [--gap MS]
// --gap waits MS milliseconds (sleeping) between commits, as a gateway does between a request's
// commits: a writer thread that sleeps between commits is what the gateway has, not a hot loop.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Recorder } from '../../src/ledger/recorder.js';
import { configSchema } from '../../src/protocols/index.js';
import { openStore } from '../../src/store/index.js';
import { percentile } from '../support/stats.js';
import { watchThreadCpu } from './thread-cpu.js';

const events = Number(process.argv[2] ?? 20_000);
const WARM_UP = 100;
const synchronous = process.argv[3] === 'normal' ? 'normal' : 'full';
const gapAt = process.argv.indexOf('--gap');
const gapMs = gapAt > 0 ? Number(process.argv[gapAt + 1]) : 0;
const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-commit-'));
const store = await openStore(configSchema.parse({ durability: synchronous }), dir);
const recorder = new Recorder(store.ledger);
await recorder.init();
const identity = { subject: 'alice', kind: 'user' as const, groups: ['ai-eng'] };
const latencies: number[] = [];
let threadCpu: ReturnType<typeof watchThreadCpu> | null = null;
let cpuBefore = process.cpuUsage();
for (let i = 0; i < events; i++) {
  if (i === WARM_UP) {
    threadCpu = watchThreadCpu(200);
    cpuBefore = process.cpuUsage();
  }
  if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
  const t0 = performance.now();
  await recorder.append(
    {
      type: 'db.query',
      sessionId: `s${i % 8}`,
      connection: 'pg',
      identity,
      time: new Date().toISOString(),
      payload: {
        statement: `SELECT abalance FROM pgbench_accounts WHERE aid = ${i}`,
        filler: 'x'.repeat(400),
      },
    },
    'postgres',
  );
  latencies.push(performance.now() - t0);
}
const cpu = process.cpuUsage(cpuBefore);
const threads = threadCpu?.() ?? [];
await store.close();
rmSync(dir, { recursive: true, force: true });
// The first commits start the writer thread: left out.
const sorted = latencies.slice(WARM_UP).sort((a, b) => a - b);
const ms = (v: number) => v.toFixed(2);
console.log(
  `${events - WARM_UP} sequential commits (after ${WARM_UP} to warm up), synchronous=${synchronous}${gapMs > 0 ? `, ${gapMs} ms apart` : ''}: p50 ${ms(percentile(sorted, 50))} ms, p99 ${ms(percentile(sorted, 99))} ms, p99.9 ${ms(percentile(sorted, 99.9))} ms, max ${ms(sorted[sorted.length - 1]!)} ms`,
);
const perCommitUs = (seconds: number) => ((seconds * 1e6) / (events - WARM_UP)).toFixed(0);
console.log(
  `CPU per commit: ${perCommitUs((cpu.user + cpu.system) / 1e6)} µs (process); by thread: ${threads
    .slice(0, 3)
    .map((t) => `${t.name} ${perCommitUs(t.seconds)} µs`)
    .join(', ')}`,
);
