// Shared setup for the PostgreSQL integration tests: a real server (see test/support/postgres-server.ts),
// a scratch database, and a gateway with a postgres connection in front of it.
import pg from 'pg';
import type { StoredEvent } from '../../src/core/events.js';
import { type CliRun, runProcess } from '../support/cli.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import {
  createScratchDatabase,
  startTestPostgres,
  type TestPostgres,
  withPassword,
} from '../support/postgres-server.js';
import { statementOutcomes } from '../support/statement-outcomes.js';

export interface PgFixture {
  readonly server: TestPostgres;
  readonly gateway: TestGateway;
  /** The scratch database, direct (for checking what really happened). */
  readonly directUrl: string;
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startPgFixture(
  database: string,
  connection: Record<string, unknown> = {},
  env: Record<string, string> = {},
  /** Top-level settings besides connections (policy, approvals). */
  settings: Record<string, unknown> = {},
): Promise<PgFixture> {
  const server = await startTestPostgres();
  const directUrl = await createScratchDatabase(server, database);
  if (server.password) process.env.VIGIL_TEST_PG_PASSWORD = server.password;
  Object.assign(process.env, env);
  const gateway = await startTestGateway({
    ...settings,
    connections: [
      {
        name: 'pg',
        type: 'postgres',
        listen: '127.0.0.1:0',
        upstream: directUrl,
        ...(server.password ? { credential: 'env:VIGIL_TEST_PG_PASSWORD' } : {}),
        allow: ['*'],
        ...connection,
      },
    ],
  });
  const address = gateway.listeners.find((l) => l.connection === 'pg')!.address;
  const i = address.lastIndexOf(':');
  return {
    server,
    gateway,
    directUrl,
    host: address.slice(0, i),
    port: Number(address.slice(i + 1)),
    async close() {
      await gateway.close();
      await server.close();
    },
  };
}

export function directClient(f: PgFixture): pg.Client {
  return new pg.Client({
    connectionString: withPassword(f.directUrl, f.server.password),
  });
}

export function vigilClient(
  f: PgFixture,
  token: string = TOKENS.alice,
  extra: pg.ClientConfig = {},
): pg.Client {
  return new pg.Client({
    host: f.host,
    port: f.port,
    user: 'alice',
    database: 'whatever',
    password: token,
    ...extra,
  });
}

/** Runs SQL on the server directly (as the fixture's owner) and returns the rows. */
export async function queryDirect<T = unknown>(f: PgFixture, sql: string): Promise<T[]> {
  const c = directClient(f);
  await c.connect();
  try {
    return (await c.query(sql)).rows as T[];
  } finally {
    await c.end();
  }
}

/**
 * Runs each statement on one gateway connection as `user` (with that user's test token) and
 * returns their error messages, null for a statement that ran.
 */
export async function eachThroughVigil(
  f: PgFixture,
  user: keyof typeof TOKENS,
  database: string,
  statements: readonly string[],
): Promise<(string | null)[]> {
  const c = vigilClient(f, TOKENS[user], { user, database });
  await c.connect();
  try {
    return await statementOutcomes((sql) => c.query(sql), statements);
  } finally {
    await c.end();
  }
}

export type Run = CliRun;

/** Runs a client program (psql, pgbench) against the gateway with the token as PGPASSWORD. */
export function runClient(
  command: string,
  args: readonly string[],
  f: Pick<PgFixture, 'host' | 'port'>,
  token: string,
  input?: string,
  env: Record<string, string> = {},
): Promise<Run> {
  return runProcess(
    command,
    args,
    {
      PGHOST: f.host,
      PGPORT: String(f.port),
      PGUSER: 'alice',
      PGDATABASE: 'vigil',
      PGPASSWORD: token,
      PGSSLMODE: 'disable',
      PGCONNECT_TIMEOUT: '10',
      ...env,
    },
    input ?? '',
  );
}

/** Events of every postgres session, in session order then sequence. */
export async function pgEvents(f: PgFixture): Promise<StoredEvent[]> {
  await f.gateway.recorder.drain();
  const sessions = await f.gateway.store.ledger.listSessions({ connection: 'pg', limit: 10_000 });
  const out: StoredEvent[] = [];
  for (const s of sessions.sort((a, b) => a.startedAt.localeCompare(b.startedAt)))
    out.push(...(await f.gateway.store.ledger.readSession(s.id)));
  return out;
}

export function statementsOf(events: readonly StoredEvent[]): string[] {
  return events.filter((e) => e.type === 'db.query').map((e) => String(e.payload?.statement));
}
