// A MariaDB for integration tests: VIGIL_TEST_MYSQL_URL (mysql://root:PASSWORD@HOST:PORT) when set,
// else a private `mariadbd` started on a temporary data directory and a free high port, from
// Debian's binaries. Without them the caller skips, saying why.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';

export interface TestMariadb {
  readonly host: string;
  readonly port: number;
  /** An administrative user (root) and its password, for setting up and checking. */
  readonly adminUser: string;
  readonly adminPassword: string;
  readonly source: 'env' | 'private';
  close(): Promise<void>;
}

export const MARIADBD = '/usr/sbin/mariadbd';
const INSTALL_DB = ['/usr/bin/mariadb-install-db', '/usr/bin/mysql_install_db'];

/** Why the MariaDB tests cannot run here, or null when they can. */
export function mariadbUnavailable(): string | null {
  if (process.env.VIGIL_TEST_MYSQL_URL) return null;
  if (!existsSync(MARIADBD))
    return `no MariaDB server binary at ${MARIADBD} (apt-get install mariadb-server) and VIGIL_TEST_MYSQL_URL is not set`;
  if (!INSTALL_DB.some((p) => existsSync(p))) return 'mariadb-install-db is missing';
  return null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.once('error', reject);
  });
}

async function waitReady(host: string, port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mariadbd exited: ${log()}`);
    try {
      const c = await mysql.createConnection({ host, port, user: 'root', password: '' });
      await c.end();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`mariadbd did not start: ${log()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export async function startTestMariadb(): Promise<TestMariadb> {
  const fromEnv = process.env.VIGIL_TEST_MYSQL_URL;
  if (fromEnv) {
    const u = new URL(fromEnv);
    return {
      host: u.hostname,
      port: Number(u.port || 3306),
      adminUser: decodeURIComponent(u.username || 'root'),
      adminPassword: decodeURIComponent(u.password),
      source: 'env',
      close: async () => undefined,
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'vigil-mariadb-'));
  // A temporary directory of its own: servers sharing /tmp (two test files at once) removed each
  // other's temporary tables during mariadb-install-db.
  mkdirSync(join(dir, 'tmp'));
  const installer = INSTALL_DB.find((p) => existsSync(p))!;
  const install = spawnSync(
    installer,
    [
      '--no-defaults',
      `--datadir=${dir}/data`,
      `--tmpdir=${dir}/tmp`,
      '--user=root',
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
    ],
    { encoding: 'utf8' },
  );
  if (install.status !== 0) throw new Error(`mariadb-install-db failed: ${install.stderr}`);
  const port = await freePort();
  let output = '';
  const child = spawn(
    MARIADBD,
    [
      '--no-defaults',
      `--datadir=${dir}/data`,
      `--tmpdir=${dir}/tmp`,
      `--socket=${dir}/mysqld.sock`,
      `--pid-file=${dir}/mysqld.pid`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      '--user=root',
      '--skip-log-bin',
      '--max-allowed-packet=64M',
      '--innodb-buffer-pool-size=32M',
      '--innodb-log-file-size=16M',
      '--general-log=1',
      `--general-log-file=${dir}/general.log`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    output = (output + c.toString()).slice(-4000);
  });
  await waitReady('127.0.0.1', port, child, () => output);
  return {
    host: '127.0.0.1',
    port,
    adminUser: 'root',
    adminPassword: '',
    source: 'private',
    async close() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function adminConnection(server: TestMariadb, database?: string) {
  return mysql.createConnection({
    host: server.host,
    port: server.port,
    user: server.adminUser,
    password: server.adminPassword,
    multipleStatements: true,
    ...(database ? { database } : {}),
  });
}
