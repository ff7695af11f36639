// The database leak tests' common start: a real server (the machine's, or one started from the
// project's own dependencies), a scratch database set up directly, and a logged gateway in front of
// it with recorded rows; then what the ledger holds of its statements. Each leak test sends its own
// statements through the gateway and scans the data directory for what must not be there.
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { Gateway } from '../../src/server/gateway.js';
import { UPSTREAM_PASSWORD, UPSTREAM_USER } from '../mysql/mysql-gateway.js';
import { TOKENS } from '../support/gateway.js';
import { adminConnection, startTestMariadb } from '../support/mariadb-server.js';
import { createScratchDatabase, startTestPostgres, withPassword } from '../support/postgres-server.js';
import { type LoggedGateway, startLoggedGateway } from './logged-gateway.js';

export interface MariadbLeakGateway extends LoggedGateway {
  /** A connection to the server as its administrator, for set-up and clean-up. */
  readonly admin: Awaited<ReturnType<typeof adminConnection>>;
  /** A mysql2 connection through the gateway, as alice, to the scratch database. */
  connect(): Promise<mysql.Connection>;
  close(): Promise<void>;
}

/**
 * MariaDB with a scratch `database` (dropped and made again), the gateway's upstream user (granted
 * everything, with the grant option: the tests create users), then `setup` run as administrator;
 * a gateway connection `my` in front of it; `settings` are added to the gateway's (`masking`, say).
 */
export async function startMariadbLeakGateway(
  database: string,
  setup = '',
  settings: Record<string, unknown> = {},
): Promise<MariadbLeakGateway> {
  const server = await startTestMariadb();
  const admin = await adminConnection(server);
  await admin.query(
    `DROP DATABASE IF EXISTS \`${database}\`; CREATE DATABASE \`${database}\`; ` +
      `CREATE USER IF NOT EXISTS '${UPSTREAM_USER}'@'%' IDENTIFIED BY '${UPSTREAM_PASSWORD}'; ` +
      `CREATE USER IF NOT EXISTS '${UPSTREAM_USER}'@'localhost' IDENTIFIED BY '${UPSTREAM_PASSWORD}'; ` +
      `GRANT ALL ON *.* TO '${UPSTREAM_USER}'@'%' WITH GRANT OPTION; ` +
      `GRANT ALL ON *.* TO '${UPSTREAM_USER}'@'localhost' WITH GRANT OPTION; ${setup}`,
  );
  process.env.VIGIL_TEST_MYSQL_PASSWORD = UPSTREAM_PASSWORD;
  const logged = await startLoggedGateway({
    ...settings,
    connections: [
      {
        name: 'my',
        type: 'mysql',
        listen: '127.0.0.1:0',
        upstream: `mysql://${UPSTREAM_USER}@${server.host}:${server.port}/${database}`,
        credential: 'env:VIGIL_TEST_MYSQL_PASSWORD',
        allow: ['*'],
        record_rows: 10,
      },
    ],
  }).catch(async (err: unknown) => {
    await admin.end();
    await server.close();
    throw err;
  });
  return {
    ...logged,
    admin,
    connect: () =>
      mysql.createConnection({ ...logged.listener('my'), user: 'alice', password: TOKENS.alice, database }),
    async close() {
      await logged.gateway.close().catch(() => undefined);
      await admin.query(`DROP DATABASE IF EXISTS \`${database}\``).catch(() => undefined);
      await admin.end();
      await server.close();
    },
  };
}

export interface PostgresLeakGateway extends LoggedGateway {
  /** A client of the scratch database, connected directly, for set-up and clean-up. */
  readonly direct: pg.Client;
  /** A pg client through the gateway, as alice, connected. */
  connect(): Promise<pg.Client>;
  close(): Promise<void>;
}

/**
 * PostgreSQL with a scratch `database` where `setup` has run; a gateway connection `pg` in front of
 * it; `settings` are added to the gateway's.
 */
export async function startPostgresLeakGateway(
  database: string,
  setup = '',
  settings: Record<string, unknown> = {},
): Promise<PostgresLeakGateway> {
  const server = await startTestPostgres();
  const url = await createScratchDatabase(server, database);
  const direct = new pg.Client({ connectionString: withPassword(url, server.password) });
  await direct.connect();
  if (setup !== '') await direct.query(setup);
  if (server.password) process.env.VIGIL_TEST_PG_PASSWORD = server.password;
  const logged = await startLoggedGateway({
    ...settings,
    connections: [
      {
        name: 'pg',
        type: 'postgres',
        listen: '127.0.0.1:0',
        upstream: url,
        ...(server.password ? { credential: 'env:VIGIL_TEST_PG_PASSWORD' } : {}),
        allow: ['*'],
        record_rows: 10,
      },
    ],
  }).catch(async (err: unknown) => {
    await direct.end();
    await server.close();
    throw err;
  });
  return {
    ...logged,
    direct,
    async connect() {
      const client = new pg.Client({
        ...logged.listener('pg'),
        user: 'alice',
        database: 'x',
        password: TOKENS.alice,
      });
      await client.connect();
      return client;
    },
    async close() {
      await logged.gateway.close().catch(() => undefined);
      await direct.end().catch(() => undefined);
      await server.close();
    },
  };
}

/** The payloads of the recorded events of `type` on `connection`, as JSON, once the recorder drained. */
export async function recordedOf(gateway: Gateway, connection: string, type: string): Promise<string[]> {
  await gateway.recorder.drain();
  const sessions = await gateway.store.ledger.listSessions({ connection, limit: 100 });
  const out: string[] = [];
  for (const s of sessions)
    for (const e of await gateway.store.ledger.readSession(s.id))
      if (e.type === type) out.push(JSON.stringify(e.payload));
  return out;
}

/** The recorded statements (db.query) on `connection`. */
export async function statementsOf(gateway: Gateway, connection: string): Promise<string[]> {
  return (await recordedOf(gateway, connection, 'db.query')).map((p) => String(JSON.parse(p).statement));
}
