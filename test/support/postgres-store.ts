// PostgreSQL stores for tests: one test server per process (test/support/postgres-server.ts), and on
// it a fresh schema or a fresh database per store, dropped afterwards. The store section names its
// URL by a secret reference, as a real configuration does: each scratch store gets an environment
// variable of its own (inherited by CLI runs the test starts).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startTestPostgres, type TestPostgres, withPassword } from './postgres-server.js';

let server: Promise<TestPostgres> | null = null;

/** The process's test PostgreSQL, started on first use. */
export function sharedTestPostgres(): Promise<TestPostgres> {
  server ??= startTestPostgres();
  return server;
}

/** Stops the test PostgreSQL if this process started one (call from an `after` hook). */
export async function closeSharedTestPostgres(): Promise<void> {
  const started = server;
  server = null;
  if (started) await (await started).close();
}

export interface ScratchPostgresStore {
  /** The configuration's `store` section. */
  readonly section: { type: 'postgres'; url: string; schema: string; pool?: { max: number } };
  /** The database URL (with its password), for a test's own client. */
  readonly url: string;
  readonly schema: string;
  readonly database: string;
  /** Drops what was created (the schema, or the whole database with its connections). */
  drop(): Promise<void>;
}

let counter = 0;

async function admin<T>(url: string, body: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}

/**
 * A store of its own: `fresh: 'schema'` is a new schema in the server's default database (cheap, for
 * the conformance suite); `fresh: 'database'` a new database (a gateway and its CLI runs).
 */
export async function scratchPostgresStore(
  fresh: 'schema' | 'database',
  pool?: { max: number },
): Promise<ScratchPostgresStore> {
  const pgServer = await sharedTestPostgres();
  const serverUrl = withPassword(pgServer.url, pgServer.password);
  const name = `vigil_t${process.pid}_${++counter}_${randomBytes(3).toString('hex')}`;
  let url = serverUrl;
  let database = pgServer.database;
  if (fresh === 'database') {
    await admin(serverUrl, (c) => c.query(`CREATE DATABASE ${name}`));
    const u = new URL(serverUrl);
    u.pathname = `/${name}`;
    url = u.toString();
    database = name;
  }
  const schema = fresh === 'schema' ? name : 'vigil';
  const variable = `VIGIL_TEST_STORE_URL_${name.toUpperCase()}`;
  process.env[variable] = url;
  return {
    section: { type: 'postgres', url: `env:${variable}`, schema, ...(pool ? { pool } : {}) },
    url,
    schema,
    database,
    async drop() {
      delete process.env[variable];
      if (fresh === 'database')
        await admin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      else await admin(serverUrl, (c) => c.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`));
    },
  };
}

/**
 * A `postgres` connection named `db` to the test server's default database, its password given by
 * a secret reference as a real configuration does; `extra` adds or overrides settings.
 */
export function targetDatabaseConnection(
  server: { url: string; password?: string | null },
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  process.env.VIGIL_TEST_TARGET_PG_PASSWORD = server.password ?? 'unused';
  return {
    name: 'db',
    type: 'postgres',
    listen: '127.0.0.1:0',
    upstream: server.url,
    credential: 'env:VIGIL_TEST_TARGET_PG_PASSWORD',
    allow: ['*'],
    ...extra,
  };
}
