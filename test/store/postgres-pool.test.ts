// A connection cut in the middle of a store transaction (a failover, an administrator's
// pg_terminate_backend) fails that transaction and nothing else: before, the checked-out client's
// 'error' event had no listener and ended the whole process.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import pg from 'pg';
import { createPool, inTransaction } from '../../src/store/postgres/pg-pool.js';
import { closeSharedTestPostgres, scratchPostgresStore } from '../support/postgres-store.js';

after(() => closeSharedTestPostgres());

test('a connection cut mid-transaction rejects the transaction and the pool serves on', async () => {
  const store = await scratchPostgresStore('schema');
  const pool = createPool({ url: store.url, max: 2, schema: 'public' }, () => undefined);
  const admin = new pg.Client({ connectionString: store.url });
  await admin.connect();
  try {
    const attempt = inTransaction(pool, async (client) => {
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      // Give the termination time to arrive as the connection's end, between queries.
      await new Promise((r) => setTimeout(r, 200));
      await client.query('SELECT 1');
    });
    await assert.rejects(attempt);
    const { rows } = await pool.query<{ n: number }>('SELECT 1 AS n');
    assert.equal(rows[0]!.n, 1);
  } finally {
    await admin.end();
    await pool.end();
    await store.drop();
  }
});
