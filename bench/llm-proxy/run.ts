// Added latency and throughput of Vigil in front of a model, against a direct connection, a bare
// relay (bench/support/bare-relay-process.ts: forwards, records nothing; the floor under any
// gateway on this machine) and the Portkey gateway as a peer, in one run. Recording is on
// (durability: full).
//   node --import tsx bench/llm-proxy/run.ts [--seconds 10] [--only loop|throughput|latency|stream]
// (--only runs one section and leaves bench/RESULTS.md alone: for profiling)
// VIGIL_BENCH_HISTORY=N sends N earlier turns with every request, as an agent re-sends its whole
// conversation (40 turns: a 74 KB body; bench/support/model-connection.ts).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { hashToken } from '../../src/identity/config-tokens.js';
import { cpuMillis } from '../support/cpu.js';
import { closedLoop, fixedRate, type LoadRequest } from '../support/load.js';
import { benchModelConnection, chat } from '../support/model-connection.js';
import { type Spawned, spawnAndWait, spawnJsonUrl } from '../support/processes.js';
import { writeResultsSection } from '../support/results-file.js';
import { ms, ratio, summarize } from '../support/stats.js';

const args = process.argv.slice(2);
const seconds = Number(args[args.indexOf('--seconds') + 1] || 10) || 10;
const only = args.includes('--only') ? args[args.indexOf('--only') + 1]! : null;
const section = (name: string) => only === null || only === name;
const TOKEN = 'bench-token-0123456789';
const UPSTREAM_KEY = 'sk-bench-upstream';
const PORTKEY_PORT = 18787;

interface Target {
  readonly name: string;
  readonly origin: string;
  readonly path: string;
  readonly headers: Record<string, string>;
}

async function main() {
  const parties: Spawned[] = [];
  try {
    // The stream is paced (10 chunks, 2 ms apart) so time to first token is meaningful.
    const model = await spawnJsonUrl('bench/llm-proxy/model-process.ts', [
      JSON.stringify({ apiKey: UPSTREAM_KEY, chunkDelayMs: 2 }),
    ]);
    parties.push(model);
    const vigil = await spawnJsonUrl('scripts/gateway-process.ts', [
      JSON.stringify({
        dataDir: mkdtempSync(join(tmpdir(), 'vigil-bench-')),
        settings: {
          log_level: 'silent',
          durability: 'full',
          identities: [{ name: 'bench', token_sha256: hashToken(TOKEN) }],
          connections: [benchModelConnection(model.url, UPSTREAM_KEY)],
        },
      }),
    ]);
    parties.push(vigil);
    const portkey = await spawnAndWait(
      process.execPath,
      ['node_modules/@portkey-ai/gateway/build/start-server.js', `--port=${PORTKEY_PORT}`, '--headless'],
      `http://127.0.0.1:${PORTKEY_PORT}/`,
    ).catch((err: Error) => {
      console.error(`Portkey did not start (${err.message}); it is left out of this run`);
      return null;
    });
    if (portkey) parties.push(portkey);
    const relay = await spawnJsonUrl('bench/support/bare-relay-process.ts', [model.url, UPSTREAM_KEY]);
    parties.push(relay);
    /** The processes whose CPU per request the loop reports. */
    const measured = new Map([
      ['vigil', vigil.child.pid],
      ['relay', relay.child.pid],
    ]);

    const json = { 'content-type': 'application/json' };
    const targets: Target[] = [
      {
        name: 'direct',
        origin: model.url,
        path: '/v1/chat/completions',
        headers: { ...json, authorization: `Bearer ${UPSTREAM_KEY}` },
      },
      {
        name: 'relay',
        origin: relay.url.replace(/\/$/, ''),
        path: '/v1/chat/completions',
        headers: { ...json, authorization: 'Bearer unused' },
      },
      {
        name: 'vigil',
        origin: vigil.url,
        path: '/c/model/v1/chat/completions',
        headers: { ...json, authorization: `Bearer ${TOKEN}` },
      },
      ...(portkey
        ? [
            {
              name: 'portkey',
              origin: portkey.url.replace(/\/$/, ''),
              path: '/v1/chat/completions',
              headers: {
                ...json,
                authorization: `Bearer ${UPSTREAM_KEY}`,
                'x-portkey-provider': 'openai',
                'x-portkey-custom-host': `${model.url}/v1`,
              },
            },
          ]
        : []),
    ];

    // Warm up every path (connections, JIT) before measuring.
    for (const t of targets) await fixedRate(t.origin, request(t, false), 200, 2);

    const lines: string[] = [];
    const out = (line: string) => {
      console.log(line);
      lines.push(line);
    };
    out(
      `Run: ${new Date().toISOString()}, ${seconds} s per measurement, Node ${process.version}, ${targets.map((t) => t.name).join(' / ')}`,
    );

    if (section('loop')) {
      out('\n### One client in a loop (non-streaming, keep-alive)\n');
      out('| target | requests | p50 ms | p99 ms | added p50 ms | CPU per request (Vigil, relay) | errors |');
      out('|---|---|---|---|---|---|---|');
      let loopBase = 0;
      for (const t of targets) {
        const pid = measured.get(t.name);
        const cpuBefore = pid === undefined ? 0 : cpuMillis(pid);
        const r = await closedLoop(t.origin, request(t, false), seconds);
        const s = summarize(r.latenciesMs, r.errors, r.seconds);
        const cpu =
          pid === undefined ? '—' : `${(((cpuMillis(pid) - cpuBefore) * 1000) / s.n).toFixed(0)} µs`;
        if (t.name === 'direct') loopBase = s.p50;
        out(
          `| ${t.name} | ${s.n} | ${ms(s.p50)} | ${ms(s.p99)} | ${t.name === 'direct' ? '—' : ms(s.p50 - loopBase)} | ${cpu} | ${s.errors} |`,
        );
      }
    }

    if (section('throughput')) {
      out('\n### Throughput at fixed concurrency (32 connections, non-streaming)\n');
      out('| target | requests/s | p50 ms | p99 ms | errors | vs direct |');
      out('|---|---|---|---|---|---|');
      const rps = new Map<string, number>();
      for (const t of targets) {
        const r = await autocannon({
          url: t.origin + t.path,
          method: 'POST',
          headers: t.headers,
          body: chat(false),
          connections: 32,
          duration: seconds,
        });
        rps.set(t.name, r.requests.average);
        out(
          `| ${t.name} | ${r.requests.average.toFixed(0)} | ${r.latency.p50} | ${r.latency.p99} | ${r.errors + r.non2xx} | ${ratio(r.requests.average, rps.get('direct')!)} |`,
        );
      }
      if (rps.has('portkey'))
        out(`\nVigil / Portkey throughput: ${ratio(rps.get('vigil')!, rps.get('portkey')!)}`);
    }

    for (const rate of section('latency') ? [500, 1000] : []) {
      out(`\n### Latency at ${rate} requests/s (open loop, non-streaming)\n`);
      out('| target | p50 ms | p99 ms | added p50 ms | added p99 ms | errors |');
      out('|---|---|---|---|---|---|');
      let base = { p50: 0, p99: 0 };
      for (const t of targets) {
        const r = await fixedRate(t.origin, request(t, false), rate, seconds);
        const s = summarize(r.latenciesMs, r.errors, r.seconds);
        if (t.name === 'direct') base = s;
        out(
          `| ${t.name} | ${ms(s.p50)} | ${ms(s.p99)} | ${t.name === 'direct' ? '—' : ms(s.p50 - base.p50)} | ${t.name === 'direct' ? '—' : ms(s.p99 - base.p99)} | ${s.errors} |`,
        );
      }
    }

    if (section('stream')) {
      out('\n### Streaming: time to first token at 100 requests/s\n');
      out('| target | TTFT p50 ms | TTFT p99 ms | added TTFT p50 ms | full stream p50 ms | errors |');
      out('|---|---|---|---|---|---|');
      let ttftBase = 0;
      for (const t of targets) {
        const r = await fixedRate(t.origin, request(t, true), 100, seconds);
        const ttft = summarize(r.ttftMs, r.errors, r.seconds);
        const full = summarize(r.latenciesMs, r.errors, r.seconds);
        if (t.name === 'direct') ttftBase = ttft.p50;
        out(
          `| ${t.name} | ${ms(ttft.p50)} | ${ms(ttft.p99)} | ${t.name === 'direct' ? '—' : ms(ttft.p50 - ttftBase)} | ${ms(full.p50)} | ${r.errors} |`,
        );
      }
    }
    if (only === null)
      writeResultsSection(
        'LLM proxy',
        `Command: \`node --import tsx bench/llm-proxy/run.ts --seconds ${seconds}\` (model, a bare relay, Vigil and Portkey each in their own process on this 2-core machine; the load generator in a fifth).\n\n${lines.join('\n')}`,
      );
  } finally {
    for (const p of parties.reverse()) await p.stop();
  }
}

function request(t: Target, stream: boolean): LoadRequest {
  return { path: t.path, headers: t.headers, body: chat(stream) };
}

await main();
