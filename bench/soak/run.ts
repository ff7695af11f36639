// Soak: mixed LLM (whole and streamed answers) and PostgreSQL traffic through one gateway at a fixed
// rate for ten minutes, sampled every interval: the gateway's RSS (from /proc) and V8 heap, its CPU,
// its event-loop delay, requests done, errors and latencies. At the end: is RSS within 10% of RSS
// after the first minute? Durability is the default (full). Not part of `npm test`.
//   npm run bench:soak -- [--minutes 10] [--interval 10] [--llm-rate 50] [--stream-share 0.5]
//                         [--pg-rate 100] [--pg-clients 8] [--pg-sessions-rate 2]
// Vigil exposes no event-loop delay (/healthz has none), so the gateway runs from
// bench/support/probed-gateway.ts, which measures it inside the process (monitorEventLoopDelay).
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../src/demo/demo-postgres.js';
import { hashToken } from '../../src/identity/config-tokens.js';
import { createScratchDatabase, startTestPostgres } from '../../test/support/postgres-server.js';
import { cpuMillis } from '../support/cpu.js';
import { fixedRate, type LoadRequest, type LoadResult } from '../support/load.js';
import { rssMb } from '../support/memory.js';
import { benchModelConnection, chat } from '../support/model-connection.js';
import { type GatewayProbe, probeGateway, type Spawned, spawnJsonUrl } from '../support/processes.js';
import { percentile } from '../support/stats.js';
import { createSoakTables, PgTraffic, type PgWindow } from './pg-traffic.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  const value = i === -1 ? Number.NaN : Number(args[i + 1]);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
};
const minutes = opt('--minutes', 10);
const interval = opt('--interval', 10);
const llmRate = opt('--llm-rate', 50);
const streamShare = Math.min(1, opt('--stream-share', 0.5));
const pgRate = opt('--pg-rate', 100);
const pgClients = Math.max(1, opt('--pg-clients', 8));
const pgSessionsRate = opt('--pg-sessions-rate', 2);
const windows = Math.max(1, Math.round((minutes * 60) / interval));
const TOKEN = 'bench-token-soak-0123456789';
const UPSTREAM_KEY = 'sk-bench-soak-upstream';
const DB = 'vigil_soak';

interface Sample {
  readonly t: number;
  readonly rss: number;
  readonly probe: GatewayProbe | null;
  readonly cpuPercent: number;
  readonly llm: LoadResult;
  readonly streams: LoadResult;
  readonly pg: PgWindow;
}

async function main() {
  const parties: Spawned[] = [];
  const server = await startTestPostgres();
  let traffic: PgTraffic | null = null;
  try {
    const dbUrl = await createScratchDatabase(server, DB);
    // The password goes into the URL: pg reads a URL without one as '' over a separate `password`.
    const adminUrl = new URL(dbUrl);
    if (server.password) adminUrl.password = encodeURIComponent(server.password);
    const admin = new pg.Client({ connectionString: adminUrl.toString() });
    await admin.connect();
    await createSoakTables(admin);
    await admin.end();

    // The stream is paced (2 ms between chunks, as in bench/llm-proxy) so streams overlap.
    const model = await spawnJsonUrl('bench/llm-proxy/model-process.ts', [
      JSON.stringify({ apiKey: UPSTREAM_KEY, chunkDelayMs: 2 }),
    ]);
    parties.push(model);
    process.env.VIGIL_BENCH_PG_PASSWORD = server.password ?? '';
    const pgPort = await freePort();
    const vigil = await spawnJsonUrl('bench/support/probed-gateway.ts', [
      JSON.stringify({
        dataDir: mkdtempSync(join(tmpdir(), 'vigil-bench-soak-')),
        settings: {
          log_level: 'silent',
          // LLM sessions change every interval (x-vigil-session below); ending them after a minute
          // idle lets the soak reach a steady state instead of holding every session for 15 minutes.
          sessions: { idle_timeout: '1m' },
          identities: [{ name: 'bench', token_sha256: hashToken(TOKEN) }],
          connections: [
            benchModelConnection(model.url, UPSTREAM_KEY),
            {
              name: 'pg',
              type: 'postgres',
              listen: `127.0.0.1:${pgPort}`,
              upstream: dbUrl,
              ...(server.password ? { credential: 'env:VIGIL_BENCH_PG_PASSWORD' } : {}),
              allow: ['*'],
            },
          ],
        },
      }),
    ]);
    parties.push(vigil);
    const pid = vigil.child.pid;
    traffic = await PgTraffic.open(
      { host: '127.0.0.1', port: pgPort, user: 'bench', password: TOKEN, database: DB },
      pgClients,
    );

    console.error(
      `soak: ${minutes} min in ${windows} intervals of ${interval} s; LLM ${llmRate} req/s (${Math.round(streamShare * 100)}% streamed), PostgreSQL ${pgRate} statements/s over ${pgClients} connections + ${pgSessionsRate} short sessions/s`,
    );
    const samples: Sample[] = [];
    const start = performance.now();
    await probeGateway(vigil); // starts the first delay window here
    for (let w = 0; w < windows; w++) {
      const request = (stream: boolean): LoadRequest => ({
        path: '/c/model/v1/chat/completions',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${TOKEN}`,
          'x-vigil-session': `soak-${w}`,
        },
        body: chat(stream),
      });
      const cpu0 = cpuMillis(pid);
      const t0 = performance.now();
      const [llm, streams, pgWindow] = await Promise.all([
        fixedRate(vigil.url, request(false), llmRate * (1 - streamShare), interval),
        fixedRate(vigil.url, request(true), llmRate * streamShare, interval),
        traffic.window(interval, pgRate, pgSessionsRate),
      ]);
      const wall = performance.now() - t0;
      const cpuPercent = ((cpuMillis(pid) - cpu0) / wall) * 100;
      const probe = await probeGateway(vigil).catch(() => null);
      const sample: Sample = {
        t: (performance.now() - start) / 1000,
        rss: rssMb(pid),
        probe,
        cpuPercent,
        llm,
        streams,
        pg: pgWindow,
      };
      samples.push(sample);
      console.error(row(sample));
    }
    report(samples);
  } finally {
    await traffic?.close().catch(() => undefined);
    for (const p of parties.reverse()) await p.stop();
    await server.close();
  }
}

const f = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const signed = (v: number, digits = 1) => `${v >= 0 ? '+' : ''}${f(v, digits)}`;
const p = (xs: readonly number[], q: number) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    q,
  );

const HEADER = [
  '| t (s) | RSS MB | heap used MB | Vigil CPU % | LLM ok (err) | LLM p50 / p99 ms | stream TTFT p50 / p99 ms | pg statements ok (err) | pg p50 / p99 ms | short pg sessions ok (err) | loop delay p50 / p99 / max ms |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
];

function row(s: Sample): string {
  const llmOk = s.llm.latenciesMs.length + s.streams.latenciesMs.length;
  const llmErr = s.llm.errors + s.streams.errors;
  const loop = s.probe?.loopDelayMs;
  return `| ${f(s.t, 0)} | ${f(s.rss)} | ${f(s.probe?.memoryMb.heapUsed ?? Number.NaN)} | ${f(s.cpuPercent, 0)} | ${llmOk} (${llmErr}) | ${f(p(s.llm.latenciesMs, 50), 2)} / ${f(p(s.llm.latenciesMs, 99), 2)} | ${f(p(s.streams.ttftMs, 50), 2)} / ${f(p(s.streams.ttftMs, 99), 2)} | ${s.pg.latenciesMs.length} (${s.pg.errors}) | ${f(p(s.pg.latenciesMs, 50), 2)} / ${f(p(s.pg.latenciesMs, 99), 2)} | ${s.pg.sessions} (${s.pg.sessionErrors}) | ${loop ? `${f(loop.p50)} / ${f(loop.p99)} / ${f(loop.max)}` : 'n/a'} |`;
}

function report(samples: readonly Sample[]): void {
  const sum = (pick: (s: Sample) => number) => samples.reduce((n, s) => n + pick(s), 0);
  const llmOk = sum((s) => s.llm.latenciesMs.length + s.streams.latenciesMs.length);
  const llmErr = sum((s) => s.llm.errors + s.streams.errors);
  const pgOk = sum((s) => s.pg.latenciesMs.length);
  const pgErr = sum((s) => s.pg.errors);
  const sessions = sum((s) => s.pg.sessions);
  const sessionErr = sum((s) => s.pg.sessionErrors);
  const elapsed = samples.at(-1)!.t;
  // The first sample taken once a minute has passed: the issue's reference point.
  const reference = samples.find((s) => s.t >= 60);
  const last = samples.at(-1)!;
  const lines = [
    `Soak: ${f(elapsed / 60, 1)} min, LLM ${llmRate} req/s (${Math.round(streamShare * 100)}% streamed) + PostgreSQL ${pgRate} statements/s over ${pgClients} connections + ${pgSessionsRate} short sessions/s, one gateway (durability full, the default), sampled every ${interval} s. Node ${process.version}; load average at the end ${loadavg()
      .map((l) => l.toFixed(1))
      .join(', ')}.`,
    '',
    ...HEADER,
    ...samples.map(row),
    '',
    `Totals: LLM ${llmOk} ok, ${llmErr} errors; PostgreSQL ${pgOk} statements ok, ${pgErr} errors; ${sessions} short sessions ok, ${sessionErr} failed.`,
    `RSS: min ${f(Math.min(...samples.map((s) => s.rss)))} MB, max ${f(Math.max(...samples.map((s) => s.rss)))} MB.`,
  ];
  if (reference && reference !== last) {
    const change = (last.rss - reference.rss) / reference.rss;
    const slope = trendMbPerMinute(samples.filter((s) => s.t >= reference.t));
    lines.push(
      `RSS after the first minute (t = ${f(reference.t, 0)} s): ${f(reference.rss)} MB; at the end (t = ${f(last.t, 0)} s): ${f(last.rss)} MB; change ${signed(change * 100)}%: ${Math.abs(change) <= 0.1 ? 'within' : 'NOT within'} 10% (the issue's criterion, one sample each)${change < -0.1 ? '; RSS fell, it did not grow' : ''}.`,
    );
    // One sample swings with garbage collection (tens of MB here): the medians of the second and of
    // the last minute say the same thing with less noise, when the soak is long enough to have both.
    const second = samples.filter((s) => s.t >= 60 && s.t < 120).map((s) => s.rss);
    const final = samples.filter((s) => s.t > last.t - 60 && s.t >= 120).map((s) => s.rss);
    if (second.length > 0 && final.length > 0) {
      const m2 = p(second, 50);
      const mLast = p(final, 50);
      const smoothed = (mLast - m2) / m2;
      lines.push(
        `Median RSS of the second minute: ${f(m2)} MB; of the last minute: ${f(mLast)} MB; change ${signed(smoothed * 100)}%: ${Math.abs(smoothed) <= 0.1 ? 'within' : 'NOT within'} 10%.`,
      );
    }
    lines.push(`Trend of RSS after the first minute (least squares): ${signed(slope, 2)} MB per minute.`);
  } else {
    lines.push('RSS criterion: n/a (the soak must run longer than a minute and an interval).');
  }
  lines.push(
    '',
    `Command: \`node --import tsx bench/soak/run.ts --minutes ${minutes} --interval ${interval} --llm-rate ${llmRate} --stream-share ${streamShare} --pg-rate ${pgRate} --pg-clients ${pgClients} --pg-sessions-rate ${pgSessionsRate}\``,
  );
  console.log(lines.join('\n'));
}

function trendMbPerMinute(samples: readonly Sample[]): number {
  const n = samples.length;
  if (n < 2) return Number.NaN;
  const mx = samples.reduce((a, s) => a + s.t, 0) / n;
  const my = samples.reduce((a, s) => a + s.rss, 0) / n;
  let num = 0;
  let den = 0;
  for (const s of samples) {
    num += (s.t - mx) * (s.rss - my);
    den += (s.t - mx) ** 2;
  }
  return (num / den) * 60;
}

await main();
