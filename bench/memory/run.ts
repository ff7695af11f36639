// The gateway's memory (VmRSS of its process, from /proc) with 1,000 idle PostgreSQL sessions and,
// in a fresh gateway, with 1,000 open LLM streams; durability is the default (full).
//   node --import tsx bench/memory/run.ts [--sessions 1000] [--streams 1000] [--hold-seconds 40]
//                                         [--only postgres|llm]
// RSS is read from /proc; the V8 heap figures come from bench/support/probed-gateway.ts.
// Each session and stream holds a socket to the client and one upstream in the gateway, so the
// open-files limit (ulimit -n, inherited by the gateway) must exceed twice the count.
import { cpus, loadavg } from 'node:os';
import { openFilesLimit } from '../support/memory.js';
import { openLlmStreams } from './llm-streams.js';
import { idlePostgresSessions, type MemoryResult } from './postgres-sessions.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : Number(args[i + 1]) || fallback;
};
const sessions = opt('--sessions', 1000);
const streams = opt('--streams', 1000);
const holdSeconds = opt('--hold-seconds', 40);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1]! : null;
const TARGET_MB = 150;

const needed = 2 * Math.max(sessions, streams) + 200;
const limit = openFilesLimit();
if (limit < needed) {
  console.error(`open-files limit ${limit} is below ${needed}: raise it first (ulimit -n ${needed * 2})`);
  process.exit(2);
}

const results: MemoryResult[] = [];
if (only === null || only === 'postgres') results.push(await idlePostgresSessions(sessions));
if (only === null || only === 'llm') results.push(await openLlmStreams(streams, holdSeconds));

const mb = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : 'n/a');
const lines = [
  `Gateway RSS (VmRSS), durability full (the default), Node ${process.version}, ${cpus().length} CPUs, open-files limit ${limit}, load average ${loadavg()[0]!.toFixed(1)} at the end.`,
  '',
  '| workload | idle gateway MB | with them open MB | added MB | added per one | V8 heap used, idle → open MB | after all closed MB | Vigil CPU to open, per one | target added |',
  '|---|---|---|---|---|---|---|---|---|',
  ...results.map((r) => {
    const added = r.loaded - r.idle;
    return `| ${r.count} ${r.what} | ${mb(r.idle)} | ${mb(r.loaded)} | ${mb(added)} | ${((added * 1024) / r.count).toFixed(0)} KB | ${mb(r.heapUsed.idle)} → ${mb(r.heapUsed.loaded)} | ${mb(r.after)} | ${((r.openCpuMs * 1000) / r.count).toFixed(0)} µs (${r.openSeconds.toFixed(1)} s to open all) | ≤ ${TARGET_MB} MB: ${added <= TARGET_MB ? 'met' : `missed by ${mb(added - TARGET_MB)} MB`} |`;
  }),
  '',
  ...results.flatMap((r) => r.notes),
  '',
  `Command: \`node --import tsx bench/memory/run.ts --sessions ${sessions} --streams ${streams} --hold-seconds ${holdSeconds}${only ? ` --only ${only}` : ''}\``,
];
console.log(lines.join('\n'));
