// SSH through Vigil vs straight to the same OpenSSH server, in one run: a 100 MB `cat` (remote
// command output, recorded up to the per-channel cap, then by size and digest) and a 100 MB scp
// upload (over sftp: judged at open, hashed, recorded with its SHA-256), with the real OpenSSH
// client both ways; then the gateway's memory with 200 idle interactive shells.
//   node --import tsx bench/ssh/run.ts [--mb 100] [--runs 3] [--shells 200]
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { freePort } from '../../src/demo/demo-postgres.js';
import { hashToken } from '../../src/identity/config-tokens.js';
import { sshdMissing, startOpenSshServer } from '../../test/support/openssh-server.js';
import { cpuMillis } from '../support/cpu.js';
import { spawnJsonUrl } from '../support/processes.js';
import { writeResultsSection } from '../support/results-file.js';
import { startIdleHost } from './idle-host.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const MB = arg('mb', 100);
const RUNS = arg('runs', 3);
const SHELLS = arg('shells', 200);
const TOKEN = 'tok-bench-ssh-0123456789';

const missing = sshdMissing();
if (missing) {
  console.error(missing);
  process.exit(2);
}

const sshd = await startOpenSshServer();
const work = mkdtempSync(join(tmpdir(), 'vigil-bench-ssh-'));
const file = join(work, 'payload.bin');
writeFileSync(file, randomBytes(MB * 1024 * 1024));
process.env.VIGIL_BENCH_SSH_KEY = sshd.clientKey;
const startVigil = (port: number, upstream = sshd.address, user = sshd.user, key = 'VIGIL_BENCH_SSH_KEY') =>
  spawnJsonUrl('scripts/gateway-process.ts', [
    JSON.stringify({
      dataDir: mkdtempSync(join(tmpdir(), 'vigil-bench-ssh-data-')),
      settings: {
        log_level: 'silent',
        identities: [{ name: 'bench', token_sha256: hashToken(TOKEN) }],
        connections: [
          {
            name: 'box',
            type: 'ssh',
            listen: `127.0.0.1:${port}`,
            upstream,
            user,
            credential: `env:${key}`,
            allow: ['*'],
          },
        ],
      },
    }),
  ]);
const vigilPort = await freePort();
const vigil = await startVigil(vigilPort);
const askpass = join(work, 'askpass');
writeFileSync(askpass, `#!/bin/sh\necho ${TOKEN}\n`, { mode: 0o755 });

const common = [
  '-o',
  'StrictHostKeyChecking=no',
  '-o',
  'UserKnownHostsFile=/dev/null',
  '-o',
  'LogLevel=ERROR',
];
const direct = { port: sshd.port, opts: [...common, '-i', sshd.clientKeyPath], user: sshd.user, env: {} };
const through = {
  port: vigilPort,
  opts: [...common, '-o', 'PubkeyAuthentication=no'],
  user: 'bench',
  env: { SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' },
};
type Path = typeof direct;

function timed(command: string, args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, ...env },
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(performance.now() - started) : reject(new Error(`${command} exited ${code}`)),
    );
  });
}

const cat = (p: Path) =>
  timed('ssh', ['-p', String(p.port), ...p.opts, `${p.user}@127.0.0.1`, `cat ${file}`], p.env);
const scp = (p: Path) =>
  timed(
    'scp',
    ['-P', String(p.port), ...p.opts, file, `${p.user}@127.0.0.1:${join(work, `copy-${p.port}.bin`)}`],
    p.env,
  );

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** The 100 MB file through Vigil both ways (scp over sftp up, legacy scp down): same SHA-256 at each end. */
async function checksumsMatch(): Promise<boolean> {
  const back = join(work, 'back-through-vigil.bin');
  await timed(
    'scp',
    [
      '-O',
      '-P',
      String(vigilPort),
      ...through.opts,
      `bench@127.0.0.1:${join(work, `copy-${vigilPort}.bin`)}`,
      back,
    ],
    through.env,
  );
  const want = sha256(file);
  return sha256(join(work, `copy-${vigilPort}.bin`)) === want && sha256(back) === want;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function compare(name: string, run: (p: Path) => Promise<number>) {
  const d: number[] = [];
  const v: number[] = [];
  let cpu = 0;
  // Alternated, so load from other work on the machine falls on both sides alike.
  for (let i = 0; i < RUNS; i++) {
    d.push(await run(direct));
    const before = cpuMillis(vigil.child.pid);
    v.push(await run(through));
    cpu += cpuMillis(vigil.child.pid) - before;
  }
  const mbps = (ms: number) => MB / (ms / 1000);
  return {
    name,
    direct: mbps(median(d)),
    vigil: mbps(median(v)),
    ratio: median(d) / median(v),
    cpuMsPerMb: cpu / RUNS / MB,
  };
}

function rssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

/**
 * A fresh gateway (the transfers above leave heap behind) in front of an idle ssh2 host
 * (idle-host.ts): RSS after one shell, then with `count` idle shells.
 */
async function idleShells(count: number): Promise<{ idle: number; loaded: number; opened: number }> {
  const host = await startIdleHost();
  process.env.VIGIL_BENCH_IDLE_KEY = host.privateKey;
  const port = await freePort();
  const fresh = await startVigil(port, host.address, 'idle', 'VIGIL_BENCH_IDLE_KEY');
  const openShell = async (clients: ssh2.Client[]) => {
    const client = new ssh2.Client();
    clients.push(client);
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve());
      client.once('error', reject);
      client.connect({ host: '127.0.0.1', port, username: 'bench', password: TOKEN, readyTimeout: 60_000 });
    });
    await new Promise<void>((resolve, reject) =>
      client.shell({ term: 'xterm', cols: 80, rows: 24 }, (err, stream) => {
        if (err) return reject(err);
        stream.once('data', () => resolve());
        stream.resume();
      }),
    );
  };
  const warm: ssh2.Client[] = [];
  await openShell(warm);
  for (const c of warm) c.end();
  await new Promise((r) => setTimeout(r, 2000));
  const idle = rssMb(fresh.child.pid);
  const clients: ssh2.Client[] = [];
  let opened = 0;
  for (let batch = 0; batch < count; batch += 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, count - batch) }, async () => {
        await openShell(clients);
        opened++;
      }),
    );
  }
  await new Promise((r) => setTimeout(r, 3000));
  const loaded = rssMb(fresh.child.pid);
  for (const c of clients) c.end();
  await fresh.stop();
  await host.close();
  return { idle, loaded, opened };
}

try {
  const rows = [
    await compare(`cat ${MB} MB (ssh host cat FILE)`, cat),
    await compare(`scp upload ${MB} MB (over sftp)`, scp),
  ];
  console.log(rows);
  const intact = await checksumsMatch();
  console.log(`checksums through Vigil: ${intact ? 'match' : 'DIFFER'}`);
  const shells = await idleShells(SHELLS);
  const load = (await import('node:os')).loadavg()[0]!.toFixed(1);
  const table = [
    '| transfer | direct (MB/s) | through Vigil (MB/s) | Vigil / direct | Vigil CPU per MB | target |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.direct.toFixed(1)} | ${r.vigil.toFixed(1)} | ${r.ratio.toFixed(2)} | ${r.cpuMsPerMb.toFixed(1)} ms | ≥ 0.7 |`,
    ),
    '',
    `${MB} MB uploaded through Vigil (scp over sftp) and downloaded back through Vigil (legacy scp): SHA-256 ${intact ? 'identical at both ends' : 'DIFFERENT'}.`,
    '',
    `| ${shells.opened} idle shells (pty, through Vigil to an idle ssh2 host) | gateway RSS |`,
    '|---|---|',
    `| idle gateway (after one shell) | ${shells.idle.toFixed(0)} MB |`,
    `| with ${shells.opened} idle shells | ${shells.loaded.toFixed(0)} MB |`,
    `| difference (target ≤ 150 MB) | ${(shells.loaded - shells.idle).toFixed(0)} MB (${((shells.loaded - shells.idle) / shells.opened).toFixed(2)} MB per shell) |`,
  ].join('\n');
  console.log(table);
  writeResultsSection(
    'SSH',
    `Command: \`node --import tsx bench/ssh/run.ts --mb ${MB} --runs ${RUNS} --shells ${SHELLS}\`

OpenSSH 9.2 sshd started by the bench on loopback; the OpenSSH client (ssh, scp) straight to it with a key,
and through Vigil (token by askpass; Vigil logs in with the key). Medians of ${RUNS} alternating runs.
Vigil records the exec or the sftp open write-ahead (SQLite ledger, durability full), the first MiB of
command output as ssh.output chunks (record_command_output_bytes), and the whole transfer's size and SHA-256. Vigil CPU is the gateway
process's user+system time. Taken on a 2-core machine shared with other helpers' work (load average
${load} at the end of the run): absolute figures are depressed and noisy; the ratios compare runs made
alternately under the same load.

${table}`,
  );
} finally {
  await vigil.stop();
  await sshd.close();
  rmSync(work, { recursive: true, force: true });
}
