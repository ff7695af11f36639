// pgbench through Vigil versus direct versus pgbouncer (session mode), in one run, recording on
// (durability: full): select-only and TPC-B-like throughput, and new sessions per second (-C).
//   node --import tsx bench/postgres/run.ts [--seconds 8] [--clients 1,8] [--only select] [--commits]
// --clients takes a list: every workload runs at each count. --only keeps workloads whose name
// contains the text. --commits turns the gateway's metrics on and prints its durable commits and
// events per transaction (commit-counter.ts). --warmup S runs select-only through Vigil for S
// seconds before measuring (V8 optimises the path during the first thousands of statements).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/demo/demo-postgres.js';
import { hashToken } from '../../src/identity/config-tokens.js';
import { createScratchDatabase, startTestPostgres } from '../../test/support/postgres-server.js';
import { cpuMillis } from '../support/cpu.js';
import { type Spawned, spawnJsonUrl } from '../support/processes.js';
import { writeResultsSection } from '../support/results-file.js';
import { ratio } from '../support/stats.js';
import { commitCount, mainThreadCpuMillis, metricsSettings } from './commit-counter.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => Number(args[args.indexOf(name) + 1] || fallback) || fallback;
const seconds = opt('--seconds', 8);
const clientCounts = (args.includes('--clients') ? args[args.indexOf('--clients') + 1]! : '1,8')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1]! : '';
const clients = Math.max(...clientCounts);
const durability = args.includes('--durability') ? args[args.indexOf('--durability') + 1]! : 'full';
/** `--append-in-thread`: ledger commits on the gateway's main thread (append_in_worker: false). */
const appendInThread = args.includes('--append-in-thread');
const countCommits = args.includes('--commits');
/** `--warmup S`: select-only through Vigil for S seconds before anything is measured (none by default). */
const warmupSeconds = args.includes('--warmup') ? Number(args[args.indexOf('--warmup') + 1]) || 0 : 0;
const TOKEN = 'bench-token-0123456789';

interface Endpoint {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
}

interface RunResult {
  readonly tps: number;
  readonly transactions: number;
}

function pgbench(e: Endpoint, db: string, extra: string[]): RunResult {
  const run = spawnSync('pgbench', ['-h', e.host, '-p', String(e.port), '-U', e.user, '-n', ...extra, db], {
    env: { ...process.env, PGPASSWORD: e.password, PGSSLMODE: 'disable' },
    encoding: 'utf8',
  });
  const m = /tps = ([\d.]+)/.exec(run.stdout);
  const done = /number of transactions actually processed: (\d+)/.exec(run.stdout);
  if (run.status !== 0 || !m) {
    console.error(`pgbench ${e.name} ${extra.join(' ')} failed: ${run.stderr.slice(0, 400)}`);
    return { tps: Number.NaN, transactions: Number.NaN };
  }
  return { tps: Number(m[1]), transactions: Number(done?.[1] ?? Number.NaN) };
}

/** pgbouncer in session mode, run as the postgres user (it refuses root), trusting the local server. */
async function startPgbouncer(
  upstream: { host: string; port: number; user: string },
  db: string,
): Promise<{ port: number; stop(): void } | null> {
  const which = spawnSync('sh', ['-c', 'command -v pgbouncer || ls /usr/sbin/pgbouncer'], {
    encoding: 'utf8',
  });
  const binary = which.stdout.trim().split('\n')[0];
  if (!binary) return null;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-pgbouncer-'));
  const port = await freePort();
  writeFileSync(join(dir, 'users.txt'), `"${upstream.user}" ""\n`);
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `${db} = host=${upstream.host} port=${upstream.port} dbname=${db} user=${upstream.user}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'auth_type = trust',
      `auth_file = ${join(dir, 'users.txt')}`,
      'pool_mode = session',
      `max_client_conn = 1000`,
      `default_pool_size = ${clients + 4}`,
      `unix_socket_dir = `,
      `logfile = ${join(dir, 'pgbouncer.log')}`,
    ].join('\n'),
  );
  const root = process.getuid?.() === 0;
  if (root) {
    const [, , uid, gid] = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('postgres:'))!
      .split(':');
    for (const f of ['', 'users.txt', 'pgbouncer.ini']) chownSync(join(dir, f), Number(uid), Number(gid));
  }
  const child = root
    ? spawn('runuser', ['-u', 'postgres', '--', binary, join(dir, 'pgbouncer.ini')], { stdio: 'ignore' })
    : spawn(binary, [join(dir, 'pgbouncer.ini')], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 800));
  if (child.exitCode !== null) return null;
  return { port, stop: () => child.kill('SIGTERM') };
}

async function main() {
  const server = await startTestPostgres();
  if (server.password)
    throw new Error('the bench needs a trust-auth PostgreSQL (the local one) so pgbouncer can reach it');
  const dbUrl = await createScratchDatabase(server, 'vigil_bench');
  const db = 'vigil_bench';
  const direct: Endpoint = {
    name: 'direct',
    host: server.host,
    port: server.port,
    user: server.user,
    password: '',
  };
  execFileSync(
    'pgbench',
    ['-i', '-q', '-s', '10', '-h', direct.host, '-p', String(direct.port), '-U', direct.user, db],
    { stdio: 'ignore' },
  );

  const parties: Spawned[] = [];
  const pgPort = await freePort();
  const vigil = await spawnJsonUrl('scripts/gateway-process.ts', [
    JSON.stringify({
      dataDir: mkdtempSync(join(tmpdir(), 'vigil-bench-pg-')),
      settings: {
        log_level: 'silent',
        durability,
        append_in_worker: !appendInThread,
        ...(countCommits ? metricsSettings() : {}),
        identities: [{ name: 'bench', token_sha256: hashToken(TOKEN) }],
        connections: [
          { name: 'pg', type: 'postgres', listen: `127.0.0.1:${pgPort}`, upstream: dbUrl, allow: ['*'] },
        ],
      },
    }),
  ]);
  parties.push(vigil);
  const through: Endpoint = {
    name: 'vigil',
    host: '127.0.0.1',
    port: pgPort,
    user: 'bench',
    password: TOKEN,
  };
  const bouncer = await startPgbouncer(server, db);
  const endpoints = [direct, through];
  if (bouncer)
    endpoints.push({
      name: 'pgbouncer',
      host: '127.0.0.1',
      port: bouncer.port,
      user: server.user,
      password: '',
    });

  const shapes = [
    { name: 'select-only (-S)', args: ['-S'] },
    { name: 'select-only, extended protocol (-S -M extended)', args: ['-S', '-M', 'extended'] },
    { name: 'select-only, prepared (-S -M prepared)', args: ['-S', '-M', 'prepared'] },
    { name: 'TPC-B-like', args: [] },
    { name: 'new sessions/s (-S -C)', args: ['-S', '-C'] },
  ];
  const workloads = clientCounts
    .flatMap((c) =>
      shapes.map((w) => ({
        name: `${w.name}, ${c} client${c === 1 ? '' : 's'}`,
        args: [...w.args, '-c', String(c), '-j', String(Math.min(c, 2)), '-T', String(seconds)],
      })),
    )
    .filter((w) => w.name.includes(only));
  const results = new Map<string, Map<string, number>>();
  /** Vigil's own CPU microseconds per transaction, by workload. */
  const cpuPerTxn = new Map<string, number>();
  try {
    // The gateway's first statements run before V8 has optimised the path: a cost paid once, which
    // weighs more the fewer transactions a run completes (a loaded machine).
    if (warmupSeconds > 0)
      pgbench(through, db, ['-S', '-c', String(clients), '-j', '2', '-T', String(warmupSeconds)]);
    for (const w of workloads) {
      const row = new Map<string, number>();
      for (const e of endpoints) {
        const before = cpuMillis(vigil.child.pid);
        const commitsBefore = countCommits && e.name === 'vigil' ? await commitCount(vigil.url) : null;
        const mainBefore = mainThreadCpuMillis(vigil.child.pid);
        const run = pgbench(e, db, w.args);
        if (e.name === 'vigil')
          cpuPerTxn.set(w.name, ((cpuMillis(vigil.child.pid) - before) * 1000) / run.transactions);
        if (commitsBefore) {
          const after = await commitCount(vigil.url);
          const commits = after.commits - commitsBefore.commits;
          console.error(
            `${w.name} vigil: ${(commits / run.transactions).toFixed(3)} commits and ${((after.events - commitsBefore.events) / run.transactions).toFixed(2)} events per transaction (${((after.events - commitsBefore.events) / commits).toFixed(1)} events per commit); main thread ${(((mainThreadCpuMillis(vigil.child.pid) - mainBefore) * 1000) / run.transactions).toFixed(0)} µs CPU per transaction`,
          );
        }
        row.set(e.name, run.tps);
        console.error(`${w.name} ${e.name}: ${run.tps.toFixed(0)} tps`);
      }
      results.set(w.name, row);
    }
  } finally {
    bouncer?.stop();
    await Promise.all(parties.map((p) => p.stop()));
    await server.close();
  }

  const fmt = (v: number | undefined) =>
    v === undefined ? 'n/a' : Number.isFinite(v) ? v.toFixed(0) : 'failed';
  const lines = [
    `pgbench, ${clientCounts.join(' and ')} clients (at most 2 threads), ${seconds} s per run, scale 10, PostgreSQL ${server.source} on loopback; Vigil records every statement and result (durability: ${durability}, SQLite ledger, group commit). 2 shared CPU cores: pgbench, PostgreSQL, Vigil and pgbouncer compete for them.${warmupSeconds > 0 ? ` Vigil is warmed up first (${warmupSeconds} s of select-only through it, not counted).` : ''}`,
    '',
    '| workload | direct (tps) | Vigil (tps) | pgbouncer (tps) | Vigil / direct | Vigil / pgbouncer | Vigil CPU per transaction |',
    '|---|---|---|---|---|---|---|',
    ...workloads.map((w) => {
      const r = results.get(w.name)!;
      const cpu = cpuPerTxn.get(w.name);
      const cpuText = cpu !== undefined && Number.isFinite(cpu) ? `${cpu.toFixed(0)} µs` : 'n/a';
      return `| ${w.name} | ${fmt(r.get('direct'))} | ${fmt(r.get('vigil'))} | ${fmt(r.get('pgbouncer'))} | ${ratio(r.get('vigil') ?? 0, r.get('direct') ?? 0)} | ${bouncer ? ratio(r.get('vigil') ?? 0, r.get('pgbouncer') ?? 0) : 'n/a'} | ${cpuText} |`;
    }),
    '',
    bouncer
      ? 'pgbouncer: session mode, trust auth to the same server.'
      : 'pgbouncer: not installed, skipped (apt-get install pgbouncer).',
    'Targets (durability full): select-only ≥ 0.5 × direct at 8 clients and ≥ 0.35 × at 1 client; TPC-B-like ≥ 0.6 × direct; with upstream reuse, new sessions/s ≥ 3 × direct (the -C rows count one new session per transaction).',
    '',
    `Command: \`node --import tsx bench/postgres/run.ts --seconds ${seconds} --clients ${clientCounts.join(',')} --durability ${durability}${appendInThread ? ' --append-in-thread' : ''}${warmupSeconds > 0 ? ` --warmup ${warmupSeconds}` : ''}${only ? ` --only '${only}'` : ''}\``,
  ];
  writeResultsSection(
    durability === 'full' ? 'PostgreSQL' : `PostgreSQL (durability: ${durability})`,
    lines.join('\n'),
  );
  console.log(lines.join('\n'));
}

await main();
