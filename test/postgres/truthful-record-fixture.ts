// What both truthful-record test files do around a fixture: reach the server directly, reset and
// read table t there, and log in through Vigil as a raw wire client whose application_name finds
// its session in the ledger later.
import type pg from 'pg';
import { TOKENS } from '../support/gateway.js';
import { directClient, type PgFixture } from './pg-gateway.js';
import { RawPgClient } from './raw-client.js';

export function truthfulRecordHelpers(fixture: () => PgFixture) {
  async function direct<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = directClient(fixture());
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  return {
    direct,
    /** A fresh table t with rows 1 and 2, made directly on the server. */
    resetTable: (): Promise<void> =>
      direct(async (c) => {
        await c.query(
          'drop table if exists t; create table t (id int primary key); insert into t values (1), (2)',
        );
      }),
    /** The ids in t as the server has them, or null when t no longer exists. */
    rowIds: (): Promise<number[] | null> =>
      direct(async (c) => {
        const exists = await c.query("select to_regclass('public.t') is not null as e");
        if (!exists.rows[0].e) return null;
        return (await c.query('select id from t order by id')).rows.map((r) => r.id as number);
      }),
    /** Logs in through Vigil; `app` (the application_name) finds the session in the ledger later. */
    login: (user: 'alice' | 'bob', app: string, extra: Record<string, string> = {}): Promise<RawPgClient> =>
      RawPgClient.connect({
        host: fixture().host,
        port: fixture().port,
        params: { user, database: 'vigil', application_name: app, ...extra },
        password: TOKENS[user],
      }),
  };
}
