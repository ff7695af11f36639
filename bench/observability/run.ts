// What metrics and tracing cost a model client: one client in a loop through two gateways in the same
// run, one with `metrics` and `tracing` on (scraped every second, spans sent to an OTLP receiver in
// this process), one with both off. Rounds alternate (off, on, off, on) so drift in the machine's
// load falls on both. Sessions end after 1 s idle, so each round's trace export (which runs when a
// session ends) is inside the CPU measured for that round.
//   node --import tsx bench/observability/run.ts [--seconds 10] [--rounds 2]
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashToken } from '../../src/identity/config-tokens.js';
import { cpuMillis } from '../support/cpu.js';
import { closedLoop, fixedRate } from '../support/load.js';
import { benchModelConnection, chat } from '../support/model-connection.js';
import { type Spawned, spawnJsonUrl } from '../support/processes.js';
import { writeResultsSection } from '../support/results-file.js';
import { ms, summarize } from '../support/stats.js';

const args = process.argv.slice(2);
const seconds = Number(args[args.indexOf('--seconds') + 1] || 10) || 10;
const rounds = Number(args[args.indexOf('--rounds') + 1] || 2) || 2;
const TOKEN = 'bench-token-0123456789';
const UPSTREAM_KEY = 'sk-bench-upstream';
const SCRAPE_TOKEN = 'bench-scrape-token-0123456789';
const IDLE_MS = 1000;

async function main() {
  const parties: Spawned[] = [];
  // The OTLP receiver: counts what arrives, answers as a collector does.
  let spans = 0;
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      spans += (
        Buffer.concat(chunks)
          .toString()
          .match(/"spanId"/g) ?? []
      ).length;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const otlp = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/traces`;
  process.env.VIGIL_BENCH_SCRAPE_TOKEN = SCRAPE_TOKEN;
  try {
    const model = await spawnJsonUrl('bench/llm-proxy/model-process.ts', [
      JSON.stringify({ apiKey: UPSTREAM_KEY }),
    ]);
    parties.push(model);
    const gateway = async (observed: boolean) => {
      const spawned = await spawnJsonUrl('scripts/gateway-process.ts', [
        JSON.stringify({
          dataDir: mkdtempSync(join(tmpdir(), 'vigil-bench-')),
          settings: {
            log_level: 'silent',
            durability: 'full',
            sessions: { idle_timeout: `${IDLE_MS}ms` },
            identities: [{ name: 'bench', token_sha256: hashToken(TOKEN) }],
            connections: [benchModelConnection(model.url, UPSTREAM_KEY)],
            ...(observed
              ? {
                  metrics: { enabled: true, scrape_token: 'env:VIGIL_BENCH_SCRAPE_TOKEN' },
                  tracing: { otlp_endpoint: otlp },
                }
              : {}),
          },
        }),
      ]);
      parties.push(spawned);
      return spawned;
    };
    const off = await gateway(false);
    const on = await gateway(true);
    const request = {
      path: '/c/model/v1/chat/completions',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: chat(false),
    };
    for (const g of [off, on]) await fixedRate(g.url, request, 200, 2);

    const lines: string[] = [];
    const out = (line: string) => {
      console.log(line);
      lines.push(line);
    };
    out(
      `Run: ${new Date().toISOString()}, ${rounds} rounds × ${seconds} s per gateway, Node ${process.version}`,
    );
    out('\n| round | gateway | requests | p50 ms | p99 ms | Vigil CPU per request |');
    out('|---|---|---|---|---|---|');
    const totals = { off: { p50: [] as number[], cpu: 0, n: 0 }, on: { p50: [] as number[], cpu: 0, n: 0 } };
    let scrapes = 0;
    for (let round = 1; round <= rounds; round++) {
      for (const [name, g] of [
        ['off', off],
        ['on', on],
      ] as const) {
        const cpuBefore = cpuMillis(g.child.pid);
        // A Prometheus scraping every second (its default is 15 s): a worst case for the scrape's share.
        const scraper =
          name === 'on'
            ? setInterval(() => {
                fetch(`${g.url}/metrics`, { headers: { authorization: `Bearer ${SCRAPE_TOKEN}` } })
                  .then((r) => r.text())
                  .then(() => scrapes++)
                  .catch(() => undefined);
              }, 1000)
            : null;
        const r = await closedLoop(g.url, request, seconds);
        if (scraper) clearInterval(scraper);
        // Let the session go idle and its trace be exported before the CPU is read.
        await new Promise((resolve) => setTimeout(resolve, IDLE_MS + 1500));
        const s = summarize(r.latenciesMs, r.errors, r.seconds);
        const cpu = cpuMillis(g.child.pid) - cpuBefore;
        totals[name].p50.push(s.p50);
        totals[name].cpu += cpu;
        totals[name].n += s.n;
        out(
          `| ${round} | ${name} | ${s.n} | ${ms(s.p50)} | ${ms(s.p99)} | ${((cpu * 1000) / s.n).toFixed(0)} µs |`,
        );
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const addedMs = median(totals.on.p50) - median(totals.off.p50);
    const cpuOn = (totals.on.cpu * 1000) / totals.on.n;
    const cpuOff = (totals.off.cpu * 1000) / totals.off.n;
    out(
      `\nOn vs off: added p50 ${ms(addedMs)} ms (median of rounds; target ≤ 0.1 ms); Vigil CPU per request ${cpuOn.toFixed(0)} µs vs ${cpuOff.toFixed(0)} µs (${(cpuOn - cpuOff).toFixed(0)} µs more, trace export and scrapes included).`,
    );
    out(`Spans received: ${spans}; scrapes answered: ${scrapes}.`);
    writeResultsSection(
      'Observability overhead (metrics and tracing on vs off, one client in a loop)',
      `Command: \`node --import tsx bench/observability/run.ts --seconds ${seconds} --rounds ${rounds}\`\n\n${lines.join('\n')}`,
    );
  } finally {
    for (const p of parties) p.child.kill('SIGTERM');
    receiver.close();
  }
}

await main();
