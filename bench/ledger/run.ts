// Ledger benchmark: durable append throughput through Recorder + SqliteStore (group commit, many
// concurrent appenders, the checkpointer running), checkpoint lag p99 under that load, and
// verification throughput. Bounded: a fixed number of events per run.
// Run: node --import tsx bench/ledger/run.ts [events] [--no-write]
//   --no-write                 print the figures only; bench/RESULTS.md is left alone
//   --verify-only [--ledger DIR] [--repeat N]
//                              measure verification alone, N times (3 by default), on a ledger of
//                              `events` built once (synchronous=normal) in DIR and kept there for the
//                              next run, or reused when DIR already holds one; for profiling
//                              (node --cpu-prof) without the append runs. Never writes RESULTS.md.
//   --batch N                  rows per read (VerifyOptions.batchSize)
//   --workers N                verification worker threads (0: verify on one thread)
//   --rows-to-workers          workers are sent the rows this thread reads (the path without a
//                              reader, as for a wrapper source) instead of reading their own ranges
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { EventDraft, Identity } from '../../src/core/events.js';
import { anchorPath } from '../../src/ledger/anchor.js';
import { Checkpointer } from '../../src/ledger/checkpointer.js';
import { loadLedgerKeys } from '../../src/ledger/keyring.js';
import { Recorder } from '../../src/ledger/recorder.js';
import { verifyLedger } from '../../src/ledger/verify.js';
import { eventSourceOpener } from '../../src/store/event-source-opener.js';
import { sqliteEventSource } from '../../src/store/sqlite/sqlite-event-source.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { watchThreadCpu } from './thread-cpu.js';

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'no-write': { type: 'boolean', default: false },
    'verify-only': { type: 'boolean', default: false },
    ledger: { type: 'string' },
    repeat: { type: 'string', default: '3' },
    batch: { type: 'string' },
    workers: { type: 'string' },
    'rows-to-workers': { type: 'boolean', default: false },
  },
});
const EVENTS = Number(positionals[0] ?? 200_000);
const APPENDERS = 512;
const SESSIONS = 2_000;

/** One identity object per session, as a gateway's session context holds it for all its events. */
const identities: Identity[] = Array.from({ length: SESSIONS }, (_, session) => ({
  subject: `user${session % 50}@example.com`,
  kind: 'user',
  groups: ['ai-eng'],
  tokenId: 'tok',
}));

function draft(i: number): EventDraft {
  const session = i % SESSIONS;
  return {
    type: 'llm.request',
    sessionId: `bench-${session}`,
    connection: 'openai',
    identity: identities[session]!,
    time: new Date().toISOString(),
    payload: {
      model: 'gpt-4o-mini',
      messages: [
        {
          role: 'user',
          content: `request number ${i}: summarise the quarterly report in three bullet points`,
        },
      ],
      stream: false,
    },
  };
}

interface AppendResult {
  readonly synchronous: 'full' | 'normal';
  readonly eventsPerSecond: number;
  /** Events per second of this process's CPU time: comparable when other work shares the machine. */
  readonly eventsPerCpuSecond: number;
  readonly lagP99Ms: number;
  readonly lagP50Ms: number;
  readonly lagMaxMs: number;
  readonly dir: string;
}

async function appendRun(
  synchronous: 'full' | 'normal',
  dir = mkdtempSync(join(tmpdir(), 'vigil-bench-ledger-')),
): Promise<AppendResult> {
  const store = new SqliteStore(join(dir, 'vigil.db'), { synchronous });
  const keys = loadLedgerKeys(dir);
  const recorder = new Recorder(store);
  await recorder.init();
  const checkpointer = new Checkpointer({
    store,
    recorder,
    signer: keys.signer,
    anchorFile: anchorPath(dir),
    intervalMs: 1000,
  });
  await checkpointer.start();
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: APPENDERS }, async () => {
      while (next < EVENTS) await recorder.append(draft(next++), 'llm');
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = cpuOf(cpu);
  // Let the timer cover the tail as it would under load (no forced checkpoint): lag is measured as is.
  while (checkpointer.checkpointedSize < recorder.size) await new Promise((r) => setTimeout(r, 20));
  const lag = checkpointer.lag;
  await checkpointer.stop();
  await store.close();
  return {
    synchronous,
    eventsPerSecond: Math.round(EVENTS / seconds),
    eventsPerCpuSecond: Math.round(EVENTS / cpuSeconds),
    lagP99Ms: lag.p99Ms,
    lagP50Ms: lag.p50Ms,
    lagMaxMs: lag.maxMs,
    dir,
  };
}

function cpuOf(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

async function verifyRun(
  dir: string,
): Promise<{ eventsPerSecond: number; eventsPerCpuSecond: number; ok: boolean; threads: string }> {
  const store = new SqliteStore(join(dir, 'vigil.db'), { readonly: true });
  const keys = loadLedgerKeys(dir);
  const threadCpu = watchThreadCpu();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const report = await verifyLedger(sqliteEventSource(store.database), await store.listCheckpoints(), {
    keyring: keys.keyring,
    anchorText: readFileSync(anchorPath(dir), 'utf8'),
    ...(flags.batch === undefined ? {} : { batchSize: Number(flags.batch) }),
    parallel: {
      ...(flags.workers === undefined ? {} : { workers: Number(flags.workers) }),
      // As `vigil verify` runs: each worker opens the store read-only and reads its own ranges.
      ...(flags['rows-to-workers']
        ? {}
        : {
            reader: eventSourceOpener(
              { store: { type: 'sqlite' }, durability: 'normal', append_in_worker: false },
              dir,
              dir,
            ),
          }),
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = cpuOf(cpu);
  const threads = threadCpu()
    .filter((t) => t.seconds >= 0.05)
    .map((t) => `${t.name}#${t.tid} ${t.seconds.toFixed(2)} s`)
    .join(', ');
  await store.close();
  if (!report.ok) console.error('verification failed:', report.fault);
  return {
    eventsPerSecond: Math.round(report.events / seconds),
    eventsPerCpuSecond: Math.round(report.events / cpuSeconds),
    ok: report.ok,
    threads: `${seconds.toFixed(2)} s wall; CPU by thread: ${threads}`,
  };
}

if (flags['verify-only']) {
  await verifyOnly();
  process.exit(0);
}

/** Verification alone, repeated on one ledger: the figures to profile and compare. */
async function verifyOnly(): Promise<void> {
  const dir = flags.ledger ?? mkdtempSync(join(tmpdir(), 'vigil-bench-ledger-'));
  if (!existsSync(join(dir, 'vigil.db'))) {
    mkdirSync(dir, { recursive: true });
    const built = await appendRun('normal', dir);
    console.log(`built a ledger of ${EVENTS} events in ${dir} (${built.eventsPerSecond} events/s)`);
  }
  for (let i = 0; i < Number(flags.repeat); i++) {
    const verified = await verifyRun(dir);
    console.log(
      `verify: ${verified.eventsPerSecond} events/s, ${verified.eventsPerCpuSecond} per CPU-second (${verified.ok ? 'intact' : 'FAILED'}; load average ${loadavg()[0]!.toFixed(1)})`,
    );
    console.log(`  ${verified.threads}`);
  }
  if (flags.ledger === undefined) rmSync(dir, { recursive: true, force: true });
}

const loadBefore = loadavg()[0]!.toFixed(1);
const full = await appendRun('full');
console.log(
  `durable append, synchronous=full:   ${full.eventsPerSecond} events/s, ${full.eventsPerCpuSecond} per CPU-second  (checkpoint lag p50 ${full.lagP50Ms} ms, p99 ${full.lagP99Ms} ms, max ${full.lagMaxMs} ms)`,
);
const normal = await appendRun('normal');
console.log(
  `durable append, synchronous=normal: ${normal.eventsPerSecond} events/s, ${normal.eventsPerCpuSecond} per CPU-second  (checkpoint lag p50 ${normal.lagP50Ms} ms, p99 ${normal.lagP99Ms} ms, max ${normal.lagMaxMs} ms)`,
);
const verified = await verifyRun(full.dir);
const loadAfter = loadavg()[0]!.toFixed(1);
console.log(
  `verify: ${verified.eventsPerSecond} events/s, ${verified.eventsPerCpuSecond} per CPU-second (${verified.ok ? 'intact' : 'FAILED'})`,
);
for (const r of [full, normal]) rmSync(r.dir, { recursive: true, force: true });

const section = [
  '## Ledger',
  '',
  `Command: \`node --import tsx bench/ledger/run.ts ${EVENTS}\` (${EVENTS} events, ${APPENDERS} concurrent appenders, ${SESSIONS} sessions, ~230-byte payloads, checkpointer running at 1 s; ${new Date().toISOString().slice(0, 10)}, 2-core machine shared with other work: load average ${loadBefore} before, ${loadAfter} after). Wall-clock rates depend on that load; per-CPU-second rates (this process's user+system time) much less.`,
  '',
  '| measure | wall clock | per CPU-second | target |',
  '| --- | --- | --- | --- |',
  `| durable append, synchronous=full | ${full.eventsPerSecond} events/s | ${full.eventsPerCpuSecond} events/s | ≥ 60,000 events/s |`,
  `| durable append, synchronous=normal | ${normal.eventsPerSecond} events/s | ${normal.eventsPerCpuSecond} events/s | |`,
  `| checkpoint lag p99 under load (full) | ${full.lagP99Ms} ms (p50 ${full.lagP50Ms} ms, max ${full.lagMaxMs} ms) | | ≤ 2,000 ms |`,
  `| checkpoint lag p99 under load (normal) | ${normal.lagP99Ms} ms (p50 ${normal.lagP50Ms} ms, max ${normal.lagMaxMs} ms) | | ≤ 2,000 ms |`,
  `| verify (chains, payload hashes, Merkle roots, signatures, anchor) | ${verified.eventsPerSecond} events/s | ${verified.eventsPerCpuSecond} events/s | ≥ 250,000 events/s |`,
  '',
].join('\n');
if (flags['no-write']) process.exit(0);
const results = join(import.meta.dirname, '..', 'RESULTS.md');
const before = existsSync(results) ? readFileSync(results, 'utf8') : '# Benchmark results\n\n';
const pattern = /## Ledger\n[\s\S]*?(?=\n## |$)/;
const after = pattern.test(before) ? before.replace(pattern, section) : `${before.trimEnd()}\n\n${section}`;
writeFileSync(results, after.endsWith('\n') ? after : `${after}\n`);
console.log(`written to ${results}`);
