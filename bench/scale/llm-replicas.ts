// Scale-out benchmark, whole gateway: LLM requests per second through 1, 2 and 3 gateway replicas on
// one PostgreSQL store (a fresh database per run), against the stand-in model directly and against
// one replica on the embedded SQLite store. The load is a round-robin over the replicas (one
// autocannon per replica, the connections split between them), non-streaming, recording on, as the
// gateway records by default. Reports requests/s, p50/p99, and the replicas' CPU per request.
// Run: node --import tsx bench/scale/llm-replicas.ts [seconds] [--connections N] [--no-write]
//   VIGIL_BENCH_PG_URL  the server to use (default postgres://postgres@127.0.0.1:5432/postgres).
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { cpuMillis } from '../support/cpu.js';
import { BENCH_PG_URL } from '../support/postgres-url.js';
import { type Spawned, spawnJsonUrl } from '../support/processes.js';
import { writeResultsSection } from '../support/results-file.js';

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'no-write': { type: 'boolean', default: false },
    connections: { type: 'string', default: '32' },
  },
});
const SECONDS = Number(positionals[0] ?? 10);
const CONNECTIONS = Number(flags.connections);
const SERVER_URL = BENCH_PG_URL;
const DATABASE = `vigil_bench_llm_replicas_${process.pid}`;
const TOKEN = 'bench-token-0123456789';

interface Row {
  readonly label: string;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly cpuUsPerRequest: number | null;
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const tokenHash = createHash('sha256').update(TOKEN).digest('hex');
const chat = JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'hello, how are you?' }] });

/** Round-robin: one autocannon per target, the connections split evenly, all at once. */
async function load(urls: readonly string[], headers: Record<string, string>) {
  const per = Math.max(1, Math.floor(CONNECTIONS / urls.length));
  const results = await Promise.all(
    urls.map((url) =>
      autocannon({ url, method: 'POST', headers, body: chat, connections: per, duration: SECONDS }),
    ),
  );
  const total = results.reduce((n, r) => n + r.requests.total, 0);
  return {
    rps: results.reduce((n, r) => n + r.requests.average, 0),
    // Percentiles of the busiest target (autocannon gives no merged histogram).
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    errors: results.reduce((n, r) => n + r.errors + r.non2xx, 0),
    total,
  };
}

async function replicas(count: number, store: object, modelUrl: string): Promise<Row> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-replicas-'));
  const settings = {
    log_level: 'silent',
    store,
    identities: [{ name: 'bench', groups: [], roles: ['user'], token_sha256: tokenHash }],
    connections: [{ name: 'oa', type: 'llm-openai', upstream: modelUrl, allow: ['*'] }],
  };
  const started: Spawned[] = [];
  try {
    for (let i = 0; i < count; i++)
      started.push(await spawnJsonUrl('scripts/gateway-process.ts', [JSON.stringify({ settings, dataDir })]));
    const cpuBefore = started.map((s) => cpuMillis(s.child.pid));
    const r = await load(
      started.map((s) => `${s.url}/c/oa/v1/chat/completions`),
      { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    );
    const cpuMs = started.reduce((sum, s, i) => sum + cpuMillis(s.child.pid) - cpuBefore[i]!, 0);
    const label =
      (store as { type: string }).type === 'sqlite'
        ? '1 replica, SQLite (embedded default)'
        : `${count} replica${count > 1 ? 's' : ''}, PostgreSQL`;
    return {
      label,
      rps: r.rps,
      p50: r.p50,
      p99: r.p99,
      errors: r.errors,
      cpuUsPerRequest: r.total > 0 ? (cpuMs * 1000) / r.total : null,
    };
  } finally {
    await Promise.all(started.map((s) => s.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function onFreshDatabase(count: number, modelUrl: string): Promise<Row> {
  await admin(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${DATABASE}`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${DATABASE}`;
  process.env.VIGIL_BENCH_REPLICAS_URL = url.toString();
  try {
    return await replicas(count, { type: 'postgres', url: 'env:VIGIL_BENCH_REPLICAS_URL' }, modelUrl);
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  }
}

const model = await spawnJsonUrl('bench/llm-proxy/model-process.ts', ['{}']);
const loadBefore = loadavg()[0]!.toFixed(1);
const rows: Row[] = [];
try {
  const direct = await load([`${model.url}/v1/chat/completions`], { 'content-type': 'application/json' });
  rows.push({ label: 'direct to the model (baseline)', ...direct, cpuUsPerRequest: null });
  rows.push(await replicas(1, { type: 'sqlite' }, model.url));
  for (const count of [1, 2, 3]) rows.push(await onFreshDatabase(count, model.url));
} finally {
  await model.stop();
}
const loadAfter = loadavg()[0]!.toFixed(1);

const base = rows[0]!.rps;
const table = [
  '| target | requests/s | vs direct | p50 ms | p99 ms | replicas CPU per request | errors |',
  '| --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map(
    (r) =>
      `| ${r.label} | ${r.rps.toFixed(0)} | ${(r.rps / base).toFixed(2)} | ${r.p50} | ${r.p99} | ${r.cpuUsPerRequest === null ? '—' : `${r.cpuUsPerRequest.toFixed(0)} µs`} | ${r.errors} |`,
  ),
].join('\n');
console.log(table);

if (!flags['no-write']) {
  const date = new Date().toISOString().slice(0, 10);
  writeResultsSection(
    'Scale-out: LLM requests through 1, 2 and 3 replicas on one PostgreSQL',
    `Command: \`node --import tsx bench/scale/llm-replicas.ts ${SECONDS}\` (${SECONDS} s per row, ${CONNECTIONS} connections split evenly over the replicas, non-streaming chat completions to the stand-in model in its own process, recording on; every replica, the model, PostgreSQL and the load generator on the same 2-core machine; ${date}, load average ${loadBefore} before, ${loadAfter} after).

${table}`,
  );
}
