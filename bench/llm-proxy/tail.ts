// Where the tail at a fixed rate comes from: sends non-streamed chat requests at a fixed rate (open
// loop, as bench/llm-proxy/run.ts does) to the stand-in model directly and through Vigil, and for the
// slowest 1% of requests reports what else was happening when each was sent:
//   - in flight: requests sent and not yet answered at that moment (1 or 2 at this rate when nothing
//     queues; a burst after a stall shows as many);
//   - late: how far behind its schedule the load generator sent it (the generator's own stalls make
//     the bursts a gateway then works through one request at a time);
//   - stalls: event-loop stalls of 5 ms or more in any process (the load generator, the model,
//     Vigil's main thread) within 50 ms before it was sent, from a 1 ms timer in each.
//   node --import tsx bench/llm-proxy/tail.ts [--rate 500] [--seconds 6] [--rounds 2]
//     [--durability full|normal] [--warm-before SECONDS]
// --warm-before sends 200 requests/s to a target right before each of its rounds, so a gateway that
// sat idle while the other target was measured starts warm. It prints its findings and leaves
// bench/RESULTS.md alone.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { hashToken } from '../../src/identity/config-tokens.js';
import { onSchedule } from '../support/load.js';
import { benchModelConnection, chat } from '../support/model-connection.js';
import { spawnJsonUrl } from '../support/processes.js';
import { type Stall, watchStalls } from '../support/stall-probe.js';
import { percentile } from '../support/stats.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) =>
  args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1]! : fallback;
const rate = Number(option('rate', '500'));
const seconds = Number(option('seconds', '6'));
const rounds = Number(option('rounds', '2'));
const durability = option('durability', 'full');
const warmBefore = Number(option('warm-before', '0'));
const TOKEN = 'bench-token-0123456789';
const UPSTREAM_KEY = 'sk-bench-upstream';
const STALL_WINDOW_MS = 50;

interface Sent {
  readonly sentAt: number;
  readonly lateMs: number;
  readonly inFlight: number;
  readonly ms: number;
}

const stalls: Stall[] = [];
const stopOwnProbe = watchStalls('generator', (stall) => stalls.push(stall));
// Every party loads the probe; it reports its stalls on stderr, which this process reads.
process.env.VIGIL_BENCH_NODE_FLAGS = [
  process.env.VIGIL_BENCH_NODE_FLAGS ?? '',
  '--import',
  new URL('../support/stall-probe-party.ts', import.meta.url).pathname,
].join(' ');
const onPartyLine = (line: string) => {
  const stall = parseStall(line);
  if (stall) stalls.push(stall);
  else process.stderr.write(`${line}\n`);
};

const model = await spawnJsonUrl(
  'bench/llm-proxy/model-process.ts',
  [JSON.stringify({ apiKey: UPSTREAM_KEY, chunkDelayMs: 2 })],
  onPartyLine,
);
const vigil = await spawnJsonUrl(
  'scripts/gateway-process.ts',
  [
    JSON.stringify({
      dataDir: mkdtempSync(join(tmpdir(), 'vigil-bench-')),
      settings: {
        log_level: 'silent',
        durability,
        identities: [{ name: 'bench', token_sha256: hashToken(TOKEN) }],
        connections: [benchModelConnection(model.url, UPSTREAM_KEY)],
      },
    }),
  ],
  onPartyLine,
);
const targets = [
  { name: 'direct', origin: model.url, path: '/v1/chat/completions', auth: `Bearer ${UPSTREAM_KEY}` },
  { name: 'vigil', origin: vigil.url, path: '/c/model/v1/chat/completions', auth: `Bearer ${TOKEN}` },
];

try {
  for (const t of targets) await send(t, 200, 2);
  console.log(
    `Run: ${new Date().toISOString()}, ${rate} requests/s for ${seconds} s, ${rounds} rounds, durability ${durability}`,
  );
  for (let round = 1; round <= rounds; round++)
    for (const t of targets) {
      if (warmBefore > 0) await send(t, 200, warmBefore);
      report(`${t.name}, round ${round}`, await send(t, rate, seconds));
    }
} finally {
  stopOwnProbe();
  await vigil.stop();
  await model.stop();
}

async function send(
  target: (typeof targets)[number],
  perSecond: number,
  forSeconds: number,
): Promise<Sent[]> {
  const pool = new Pool(target.origin, { connections: 256, pipelining: 1 });
  const sent: Sent[] = [];
  let inFlight = 0;
  let first = 0;
  await onSchedule(perSecond, forSeconds, async (i) => {
    const sentAt = performance.timeOrigin + performance.now();
    if (i === 0) first = sentAt;
    const lateMs = sentAt - (first + (i * 1000) / perSecond);
    const ahead = inFlight++;
    try {
      const res = await pool.request({
        method: 'POST',
        path: target.path,
        headers: { 'content-type': 'application/json', authorization: target.auth },
        body: chat(false),
      });
      await res.body.arrayBuffer();
      if (res.statusCode === 200)
        sent.push({
          sentAt,
          lateMs,
          inFlight: ahead,
          ms: performance.timeOrigin + performance.now() - sentAt,
        });
    } catch {
      // An error is left out of the latencies; the count below shows it.
    } finally {
      inFlight--;
    }
  });
  await pool.close();
  return sent;
}

function report(label: string, sent: Sent[]): void {
  const sorted = sent.map((s) => s.ms).sort((a, b) => a - b);
  const p99 = percentile(sorted, 99);
  const at = (p: number) => percentile(sorted, p).toFixed(2);
  console.log(
    `\n${label}: ${sent.length} answered, p50 ${at(50)} ms, p90 ${at(90)} ms, p99 ${at(99)} ms, max ${at(100)} ms`,
  );
  const slow = sent.filter((s) => s.ms >= p99);
  const median = (values: number[]) =>
    percentile(
      [...values].sort((a, b) => a - b),
      50,
    ).toFixed(1);
  console.log(
    `  every request: in flight at send, median ${median(sent.map((s) => s.inFlight))}; ` +
      `the slowest 1% (${slow.length}): in flight median ${median(slow.map((s) => s.inFlight))}, ` +
      `generator late median ${median(slow.map((s) => s.lateMs))} ms`,
  );
  const withStall = slow.filter((s) => stallsBefore(s.sentAt).length > 0).length;
  console.log(
    `  the slowest 1% with a stall of 5 ms or more somewhere in the ${STALL_WINDOW_MS} ms before: ${withStall} of ${slow.length}`,
  );
  // One line per cluster: slow requests sent within 20 ms of each other.
  let cluster: Sent[] = [];
  const flush = () => {
    if (cluster.length === 0) return;
    const head = cluster[0]!;
    const seen = stallsBefore(head.sentAt, cluster.at(-1)!.sentAt)
      .map((s) => `${s.who} ${s.ms.toFixed(1)} ms at ${(s.at - head.sentAt).toFixed(0)}`)
      .join(', ');
    console.log(
      `  cluster of ${cluster.length} at ${((head.sentAt - sent[0]!.sentAt) / 1000).toFixed(3)} s: ` +
        `${Math.min(...cluster.map((s) => s.ms)).toFixed(1)}–${Math.max(...cluster.map((s) => s.ms)).toFixed(1)} ms, ` +
        `in flight up to ${Math.max(...cluster.map((s) => s.inFlight))}; stalls: ${seen || 'none'}`,
    );
    cluster = [];
  };
  for (const s of [...slow].sort((a, b) => a.sentAt - b.sentAt)) {
    if (cluster.length > 0 && s.sentAt - cluster.at(-1)!.sentAt > 20) flush();
    cluster.push(s);
  }
  flush();
}

/** Stalls that ended between STALL_WINDOW_MS before `from` and `to`. */
function stallsBefore(from: number, to = from): Stall[] {
  return stalls.filter((s) => s.at + s.ms >= from - STALL_WINDOW_MS && s.at <= to);
}

function parseStall(line: string): Stall | null {
  if (!line.startsWith('{"stall"')) return null;
  return (JSON.parse(line) as { stall: Stall }).stall;
}
