// PostgreSQL traffic for the soak: statements at a fixed rate over a few long-lived client
// connections (a mix of simple and extended protocol, reads and writes), plus short sessions
// (connect, one statement, goodbye) at their own rate, so session starts and ends run all along.
import pg from 'pg';
import { onSchedule } from '../support/load.js';

export interface PgWindow {
  readonly latenciesMs: number[];
  readonly errors: number;
  readonly sessions: number;
  readonly sessionErrors: number;
}

const ITEMS = 1000;

/** Creates the soak's tables, straight to the server. */
export async function createSoakTables(client: pg.Client): Promise<void> {
  await client.query(`
    create table soak_items (id int primary key, v bigint not null default 0, note text not null);
    insert into soak_items (id, note) select g, 'item ' || g from generate_series(1, ${ITEMS}) g;
    create table soak_log (id bigserial primary key, item int not null, note text not null, at timestamptz not null default now());
  `);
}

export class PgTraffic {
  readonly #config: pg.ClientConfig;
  readonly #clients: Promise<pg.Client>[] = [];

  private constructor(config: pg.ClientConfig) {
    this.#config = config;
  }

  static async open(config: pg.ClientConfig, clients: number): Promise<PgTraffic> {
    const traffic = new PgTraffic(config);
    for (let k = 0; k < clients; k++) traffic.#connect(k);
    await Promise.all(traffic.#clients);
    return traffic;
  }

  /** A client that breaks is replaced; the statements it failed count as errors. */
  #connect(k: number): void {
    const client = new pg.Client(this.#config);
    client.on('error', () => {
      if (this.#clients[k] === connected) this.#connect(k);
    });
    const connected = client.connect().then(() => client);
    this.#clients[k] = connected;
  }

  /** `rate` statements per second and `sessionsPerSecond` short sessions for `seconds`. */
  async window(seconds: number, rate: number, sessionsPerSecond: number): Promise<PgWindow> {
    const latenciesMs: number[] = [];
    let errors = 0;
    let sessions = 0;
    let sessionErrors = 0;
    const statements = onSchedule(rate, seconds, async (i) => {
      const t0 = performance.now();
      try {
        const client = await this.#clients[i % this.#clients.length]!;
        await statement(client, i);
        latenciesMs.push(performance.now() - t0);
      } catch {
        errors++;
      }
    });
    const shortSessions = onSchedule(sessionsPerSecond, seconds, async () => {
      const client = new pg.Client(this.#config);
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('select 1');
        await client.end();
        sessions++;
      } catch {
        sessionErrors++;
        await client.end().catch(() => undefined);
      }
    });
    await Promise.all([statements, shortSessions]);
    return { latenciesMs, errors, sessions, sessionErrors };
  }

  async close(): Promise<void> {
    await Promise.all(
      this.#clients.map(async (c) => {
        await (await c).end();
      }),
    );
  }
}

function statement(client: pg.Client, i: number): Promise<unknown> {
  const id = 1 + ((i * 7919) % ITEMS);
  switch (i % 4) {
    case 0:
      return client.query('select count(*), max(v) from soak_items where v >= 0');
    case 1:
      return client.query('select id, v, note from soak_items where id = $1', [id]);
    case 2:
      return client.query('update soak_items set v = v + 1 where id = $1', [id]);
    default:
      return client.query('insert into soak_log (item, note) values ($1, $2)', [id, `soak statement ${i}`]);
  }
}
