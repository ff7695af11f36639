// Scale-out benchmark: durable appends per second with one, two and three writers (separate processes,
// as gateway replicas are) on one PostgreSQL ledger, against one writer on SQLite. PostgreSQL
// numbers each batch inside its transaction from a locked one-row ledger head
// (docs/adr/0007-ledger-positions-in-the-store-transaction.md); this measures what that costs and
// what a second writer adds. After each run the log is checked: every event stored, gap-free.
// Run: node --import tsx bench/scale/run.ts [events per run] [--no-write]
//   VIGIL_BENCH_PG_URL  the server to use (default postgres://postgres@127.0.0.1:5432/postgres);
//                       the benchmark creates and drops a database of its own there.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { configSchema } from '../../src/protocols/index.js';
import { openStore } from '../../src/store/index.js';
import { BENCH_PG_URL } from '../support/postgres-url.js';
import { writeResultsSection } from '../support/results-file.js';
import type { WriterResult } from './writer.js';

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'no-write': { type: 'boolean', default: false } },
});
const EVENTS = Number(positionals[0] ?? 40_000);
const SERVER_URL = BENCH_PG_URL;
const DATABASE = `vigil_bench_scale_${process.pid}`;

interface RunResult {
  readonly label: string;
  readonly writers: number;
  readonly eventsPerSecond: number;
  readonly eventsPerCpuSecond: number;
  readonly failed: number;
  readonly eventsPerCommit: number;
  readonly commitMsMean: number;
}

async function admin(sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Starts `writers` writer processes, lets them go at once, and collects their figures. */
async function runWriters(storeSection: object, dataDir: string, writers: number): Promise<WriterResult[]> {
  const config = JSON.stringify({ store: storeSection, log_level: 'silent' });
  const perWriter = Math.floor(EVENTS / writers);
  const children = Array.from({ length: writers }, (_, w) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(import.meta.dirname, 'writer.ts'),
        config,
        dataDir,
        String(w),
        String(perWriter),
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    // Listened for at once: a writer can finish and exit before its figures are read.
    const exited = new Promise((r) => child.once('exit', r));
    return { child, lines, exited };
  });
  for (const { lines } of children) await lines.next(); // {"ready": true}
  for (const { child } of children) child.stdin!.end('go\n');
  const results: WriterResult[] = [];
  for (const { lines } of children) {
    const line = await lines.next();
    results.push(JSON.parse(String(line.value)) as WriterResult);
  }
  await Promise.all(children.map(({ exited }) => exited));
  return results;
}

/** The log holds every event once, at indexes 0..N-1. */
async function checkLog(storeSection: object, dataDir: string, expected: number): Promise<void> {
  const store = await openStore(
    configSchema.parse({ store: storeSection, append_in_worker: false }),
    dataDir,
  );
  try {
    const size = await store.ledger.ledgerSize();
    const rows = await store.eventSource.count();
    const last = await store.ledger.readEvents(expected - 1, 2);
    if (size !== expected || rows !== expected || last.length !== 1 || last[0]!.index !== expected - 1)
      throw new Error(`the log holds ${size} (${rows} rows), expected ${expected} at 0..${expected - 1}`);
  } finally {
    await store.close();
  }
}

async function measure(label: string, storeSection: object, writers: number): Promise<RunResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-scale-'));
  try {
    const results = await runWriters(storeSection, dataDir, writers);
    const events = results.reduce((n, r) => n + r.events, 0);
    const failed = results.reduce((n, r) => n + r.failed, 0);
    await checkLog(storeSection, dataDir, events - failed);
    const seconds =
      (Math.max(...results.map((r) => r.endedAt)) - Math.min(...results.map((r) => r.startedAt))) / 1000;
    const cpuSeconds = results.reduce((s, r) => s + r.cpuMs, 0) / 1000;
    const commits = results.reduce((n, r) => n + r.commits, 0);
    const commitMs = results.reduce((n, r) => n + r.commitMs, 0);
    return {
      label,
      writers,
      eventsPerSecond: Math.round(events / seconds),
      eventsPerCpuSecond: Math.round(events / cpuSeconds),
      failed,
      eventsPerCommit: Math.round(events / commits),
      commitMsMean: Number((commitMs / commits).toFixed(1)),
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function onFreshDatabase(label: string, writers: number): Promise<RunResult> {
  await admin(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${DATABASE}`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${DATABASE}`;
  process.env.VIGIL_BENCH_SCALE_URL = url.toString();
  try {
    return await measure(label, { type: 'postgres', url: 'env:VIGIL_BENCH_SCALE_URL' }, writers);
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  }
}

const settings = (
  await admin(
    "SELECT current_setting('server_version') AS v, current_setting('synchronous_commit') AS sc, current_setting('fsync') AS f",
  )
).rows[0] as { v: string; sc: string; f: string };
const loadBefore = loadavg()[0]!.toFixed(1);
const runs: RunResult[] = [
  await measure('SQLite, durability full (one writer: the file has one)', { type: 'sqlite' }, 1),
  await onFreshDatabase('PostgreSQL, 1 writer', 1),
  await onFreshDatabase('PostgreSQL, 2 writers (two processes)', 2),
  await onFreshDatabase('PostgreSQL, 3 writers (three processes)', 3),
];
const loadAfter = loadavg()[0]!.toFixed(1);

const table = [
  '| store | writers | durable appends/s (wall clock) | per CPU-second of the writers | events per commit | mean commit (ms) | failed |',
  '| --- | --- | --- | --- | --- | --- | --- |',
  ...runs.map(
    (r) =>
      `| ${r.label} | ${r.writers} | ${r.eventsPerSecond} | ${r.eventsPerCpuSecond} | ${r.eventsPerCommit} | ${r.commitMsMean} | ${r.failed} |`,
  ),
].join('\n');
console.log(table);

if (!flags['no-write']) {
  const date = new Date().toISOString().slice(0, 10);
  writeResultsSection(
    'Scale-out: appends with one, two and three writers (PostgreSQL vs SQLite)',
    `Command: \`node --import tsx bench/scale/run.ts ${EVENTS}\` (${EVENTS} events per run, split between the writers; each writer a process of its own with 256 concurrent appenders over 500 sessions, ~230-byte payloads; PostgreSQL ${settings.v} on loopback with synchronous_commit=${settings.sc}, fsync=${settings.f}; SQLite with synchronous=FULL, appends in a worker thread; ${date}, 2-core machine shared with other work: load average ${loadBefore} before, ${loadAfter} after). After each run the log is checked: every event stored once, at 0..N-1.

${table}

Every PostgreSQL append holds the one-row ledger head from its first statement to its commit, so the appends of all writers are serialised (docs/adr/0007-ledger-positions-in-the-store-transaction.md). "Mean commit" is the recorder's time per batch: assigning sequence numbers and hashes, the store's transaction and its WAL flush, and with two writers the wait for the other writer's transaction to release the head. Each writer's batch is every append waiting at the time (about its 256 appenders), so a second writer doubles the events waiting, not the size of a commit.`,
  );
}
