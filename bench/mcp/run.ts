// Added latency of a small MCP tool call (`add`) through Vigil against the same call straight to
// the upstream, in one run, with the official SDK client over streamable HTTP; recording is on
// (durability: full, or normal with the flag). Calls are sequential (one in flight), alternating direct, a bare relay and
// Vigil in blocks so drift in the shared machine's load hits all alike. The bare relay
// (bench/support/bare-relay-process.ts) forwards and records nothing: what it adds is the extra
// hop on this machine, the floor under any gateway. Also Vigil's CPU per call.
//   node --import tsx bench/mcp/run.ts [--calls 2000] [--durability full|normal]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { hashToken } from '../../src/identity/config-tokens.js';
import { cpuMillis } from '../support/cpu.js';
import { type Spawned, spawnJsonUrl } from '../support/processes.js';
import { writeResultsSection } from '../support/results-file.js';
import { ms, percentile } from '../support/stats.js';

const args = process.argv.slice(2);
const calls = Number(args[args.indexOf('--calls') + 1] || 2000) || 2000;
const durability = args.includes('--durability') ? args[args.indexOf('--durability') + 1]! : 'full';
if (durability !== 'full' && durability !== 'normal') throw new Error('--durability is full or normal');
const TOKEN = 'bench-token-0123456789';
const UPSTREAM_KEY = 'bench-tools-key-0123456789';

async function client(url: string, token: string): Promise<Client> {
  const c = new Client({ name: 'vigil-bench', version: '1.0.0' });
  await c.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return c;
}

async function timeCalls(c: Client, n: number, into: number[]): Promise<void> {
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await c.callTool({ name: 'add', arguments: { a: i, b: 1 } });
    into.push(performance.now() - t0);
  }
}

async function main() {
  const parties: Spawned[] = [];
  try {
    const tools = await spawnJsonUrl('bench/mcp/tools-process.ts', [UPSTREAM_KEY]);
    parties.push(tools);
    process.env.VIGIL_BENCH_TOOLS_KEY = UPSTREAM_KEY;
    const vigil = await spawnJsonUrl('scripts/gateway-process.ts', [
      JSON.stringify({
        dataDir: mkdtempSync(join(tmpdir(), 'vigil-bench-mcp-')),
        settings: {
          log_level: process.env.VIGIL_BENCH_LOG ?? 'silent',
          durability,
          identities: [{ name: 'bench', token_sha256: hashToken(TOKEN) }],
          connections: [
            {
              name: 'tools',
              type: 'mcp',
              upstream: tools.url,
              credential: 'env:VIGIL_BENCH_TOOLS_KEY',
              allow: ['*'],
            },
          ],
        },
      }),
    ]);
    parties.push(vigil);
    const relay = await spawnJsonUrl('bench/support/bare-relay-process.ts', [tools.url, UPSTREAM_KEY]);
    parties.push(relay);
    const direct = await client(tools.url, UPSTREAM_KEY);
    const relayed = await client(relay.url, 'unused');
    const through = await client(`${vigil.url}/c/tools/mcp`, TOKEN);
    await direct.listTools();
    await relayed.listTools();
    await through.listTools();
    // Warm-up: connections, JIT, the first pin.
    await timeCalls(direct, 200, []);
    await timeCalls(relayed, 200, []);
    await timeCalls(through, 200, []);

    const d: number[] = [];
    const r: number[] = [];
    const v: number[] = [];
    const block = 100;
    let cpuUsed = 0;
    let relayCpu = 0;
    for (let done = 0; done < calls; done += block) {
      await timeCalls(direct, block, d);
      const relayBefore = cpuMillis(relay.child.pid);
      await timeCalls(relayed, block, r);
      relayCpu += cpuMillis(relay.child.pid) - relayBefore;
      const cpuBefore = cpuMillis(vigil.child.pid);
      await timeCalls(through, block, v);
      cpuUsed += cpuMillis(vigil.child.pid) - cpuBefore;
    }
    await direct.close();
    await relayed.close();
    await through.close();

    const ds = [...d].sort((a, b) => a - b);
    const rs = [...r].sort((a, b) => a - b);
    const vs = [...v].sort((a, b) => a - b);
    const row = (name: string, xs: number[]) =>
      `| ${name} | ${ms(percentile(xs, 50))} | ${ms(percentile(xs, 90))} | ${ms(percentile(xs, 99))} |`;
    const added = (name: string, xs: number[], base: number[]) =>
      `| ${name} | ${[50, 90, 99].map((q) => ms(percentile(xs, q) - percentile(base, q))).join(' | ')} |`;
    const lines: string[] = [];
    const out = (line: string) => {
      console.log(line);
      lines.push(line);
    };
    out(`Run: ${new Date().toISOString()}, ${v.length} calls each way, sequential, Node ${process.version}`);
    out('');
    out('| path | p50 ms | p90 ms | p99 ms |');
    out('| --- | --- | --- | --- |');
    out(row('direct (SDK client → SDK server)', ds));
    out(row('bare relay (forwards, records nothing)', rs));
    out(row(`through Vigil (recorded, durability ${durability})`, vs));
    out(added('added by the bare relay (the extra hop)', rs, ds));
    out(added('added by Vigil', vs, ds));
    out(added('Vigil over the bare relay', vs, rs));
    out('');
    out(
      `Vigil CPU per call: ${ms(cpuUsed / v.length)} ms (user+system of the gateway process over its measured calls; the bare relay's: ${ms(relayCpu / r.length)} ms). Target: p50 added ≤ 1 ms.`,
    );
    writeResultsSection(
      durability === 'full' ? 'MCP tool calls' : 'MCP tool calls (durability: normal)',
      `Command: \`node --import tsx bench/mcp/run.ts --calls ${calls}${durability === 'full' ? '' : ' --durability normal'}\`\n\n${lines.join('\n')}\n`,
    );
  } finally {
    for (const p of parties) await p.stop();
  }
}

await main();
