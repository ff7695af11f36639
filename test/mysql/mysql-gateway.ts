// Shared setup for the MySQL integration tests: a real MariaDB (test/support/mariadb-server.ts), a
// scratch database and an upstream user with a password (the credential Vigil injects), and a
// gateway with a mysql connection in front of it.
import { after, before } from 'node:test';
import type { StoredEvent } from '../../src/core/events.js';
import { type CliRun, runProcess } from '../support/cli.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import {
  adminConnection,
  mariadbUnavailable,
  startTestMariadb,
  type TestMariadb,
} from '../support/mariadb-server.js';

export const UPSTREAM_USER = 'vigil_upstream';
export const UPSTREAM_PASSWORD = 'Upstream-pass-7f3a';

export interface MysqlFixture {
  readonly server: TestMariadb;
  readonly gateway: TestGateway;
  readonly database: string;
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startMysqlFixture(
  database: string,
  connection: Record<string, unknown> = {},
  settings: Record<string, unknown> = {},
  /** More connections to the same upstream, each with these settings and its own name. */
  more: Record<string, unknown>[] = [],
): Promise<MysqlFixture> {
  const server = await startTestMariadb();
  const admin = await adminConnection(server);
  try {
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\`; CREATE DATABASE \`${database}\``);
    await admin.query(
      `CREATE USER IF NOT EXISTS '${UPSTREAM_USER}'@'%' IDENTIFIED BY '${UPSTREAM_PASSWORD}'; ` +
        `CREATE USER IF NOT EXISTS '${UPSTREAM_USER}'@'localhost' IDENTIFIED BY '${UPSTREAM_PASSWORD}'; ` +
        `GRANT ALL ON *.* TO '${UPSTREAM_USER}'@'%'; GRANT ALL ON *.* TO '${UPSTREAM_USER}'@'localhost'`,
    );
  } finally {
    await admin.end();
  }
  process.env.VIGIL_TEST_MYSQL_PASSWORD = UPSTREAM_PASSWORD;
  const gateway = await startTestGateway({
    ...settings,
    connections: [
      {
        name: 'my',
        type: 'mysql',
        listen: '127.0.0.1:0',
        upstream: `mysql://${UPSTREAM_USER}@${server.host}:${server.port}/${database}`,
        credential: 'env:VIGIL_TEST_MYSQL_PASSWORD',
        allow: ['*'],
        ...connection,
      },
      ...more.map((m) => ({
        type: 'mysql',
        listen: '127.0.0.1:0',
        upstream: `mysql://${UPSTREAM_USER}@${server.host}:${server.port}/${database}`,
        credential: 'env:VIGIL_TEST_MYSQL_PASSWORD',
        allow: ['*'],
        ...m,
      })),
    ],
  });
  const address = gateway.listeners.find((l) => l.connection === 'my')!.address;
  const i = address.lastIndexOf(':');
  return {
    server,
    gateway,
    database,
    host: address.slice(0, i),
    port: Number(address.slice(i + 1)),
    async close() {
      await gateway.close();
      await server.close();
    },
  };
}

/**
 * The fixture a test file shares: started before its tests (then `prepare` run on the server as
 * its admin: tables, rows) and closed after them. `skip` is why the tests cannot run here (no
 * MariaDB), or false; `f()` is the fixture once started.
 */
export function mysqlFixtureForFile(
  database: string,
  options: {
    connection?: Record<string, unknown>;
    settings?: Record<string, unknown>;
    prepare?: readonly string[];
  } = {},
): { readonly skip: string | false; readonly f: () => MysqlFixture } {
  const unavailable = mariadbUnavailable();
  let fixture: MysqlFixture | undefined;
  before(async () => {
    if (unavailable) return;
    fixture = await startMysqlFixture(database, options.connection, options.settings);
    const admin = await adminConnection(fixture.server, fixture.database);
    try {
      for (const sql of options.prepare ?? []) await admin.query(sql);
    } finally {
      await admin.end();
    }
  });
  after(async () => {
    if (fixture) await fixture.close();
  });
  return {
    skip: unavailable ?? false,
    f: () => {
      if (!fixture) throw new Error('the MySQL fixture is not started');
      return fixture;
    },
  };
}

/** Connection options for the upstream itself, as the fixture's user, for comparisons. */
export function directOptions(f: MysqlFixture) {
  return {
    host: f.server.host,
    port: f.server.port,
    user: UPSTREAM_USER,
    password: UPSTREAM_PASSWORD,
    database: f.database,
  };
}

export function vigilOptions(f: MysqlFixture, token: string = TOKENS.alice, connection = 'my') {
  const address = f.gateway.listeners.find((l) => l.connection === connection)!.address;
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  return { host: f.host, port, user: 'alice', password: token, database: f.database };
}

/** Runs a MariaDB client program (mariadb, mysqldump, mysqlslap) with these arguments. */
export function runClient(command: string, args: readonly string[], input = ''): Promise<CliRun> {
  return runProcess(command, ['--no-defaults', ...args], {}, input);
}

export function clientArgs(o: { host: string; port: number; user: string; password: string }): string[] {
  return [
    `--host=${o.host}`,
    `--port=${o.port}`,
    `--user=${o.user}`,
    `--password=${o.password}`,
    '--protocol=tcp',
  ];
}

export async function mysqlEvents(f: MysqlFixture, connection = 'my'): Promise<StoredEvent[]> {
  await f.gateway.recorder.drain();
  const sessions = await f.gateway.store.ledger.listSessions({ connection, limit: 10_000 });
  const out: StoredEvent[] = [];
  for (const s of sessions.sort((a, b) => a.startedAt.localeCompare(b.startedAt)))
    out.push(...(await f.gateway.store.ledger.readSession(s.id)));
  return out;
}

/** How many rows `table` holds, read over a direct admin connection (what the server has, not Vigil). */
export async function rowCount(f: MysqlFixture, table: string): Promise<number> {
  const admin = await adminConnection(f.server, f.database);
  try {
    const [rows] = (await admin.query(`select count(*) as n from ${table}`)) as unknown as [{ n: number }[]];
    return Number(rows[0]!.n);
  } finally {
    await admin.end();
  }
}

/** Whether `table` exists, read over a direct admin connection (what the server has, not Vigil). */
export async function tableExists(f: MysqlFixture, table: string): Promise<boolean> {
  const admin = await adminConnection(f.server, f.database);
  try {
    const [rows] = (await admin.query('show tables like ?', [table])) as unknown as [unknown[]];
    return rows.length === 1;
  } finally {
    await admin.end();
  }
}

/** The port the fixture's gateway listens on for MySQL clients. */
export function gatewayPort(f: MysqlFixture): number {
  return Number(f.gateway.listeners[0]!.address.split(':').at(-1));
}
