// The expiry sweep (src/policy/overdue-approvals.ts) runs on every replica at each approvals poll and
// pages through the pending requests by deadline. Both stores keep an index for it (approvals_overdue:
// status, then the sweep's order), made by a migration: each store's planner reads a
// page of the sweep from it, without scanning the table or sorting. Until 7 December no index
// covered it, and every page read every request ever made.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { configSchema } from '../../src/protocols/index.js';
import { embeddedLedgerFile, openStore } from '../../src/store/index.js';
import { closeSharedTestPostgres, scratchPostgresStore } from '../support/postgres-store.js';

after(() => closeSharedTestPostgres());

const AT = '2030-01-01T00:00:00.000Z';

test('SQLite: a page of the sweep reads the approvals_overdue index, in its order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-overdue-index-'));
  const config = configSchema.parse({ append_in_worker: false });
  const store = await openStore(config, dir);
  await store.close();
  const db = new Database(embeddedLedgerFile(config, dir)!, { readonly: true });
  try {
    // The sweep's query, first page and a later one (listOverdueApprovals).
    for (const [page, params] of [
      ['', [AT, 100]],
      ['AND (expires_at, id) > (?, ?)', [AT, AT, 'a', 100]],
    ] as const) {
      const plan = db
        .prepare(
          `EXPLAIN QUERY PLAN SELECT * FROM approvals WHERE status = 'pending' AND expires_at <= ? ${page}
           ORDER BY expires_at, id LIMIT ?`,
        )
        .all(...params) as { detail: string }[];
      const details = plan.map((p) => p.detail).join('; ');
      assert.match(details, /USING INDEX approvals_overdue/, details);
      assert.doesNotMatch(details, /TEMP B-TREE/, `no sort: ${details}`);
    }
  } finally {
    db.close();
  }
});

test('PostgreSQL: a page of the sweep reads the approvals_overdue index, in its order', async () => {
  const scratch = await scratchPostgresStore('schema');
  const store = await openStore(configSchema.parse({ store: scratch.section }), '/nonexistent');
  await store.close();
  const client = new pg.Client({ connectionString: scratch.url });
  await client.connect();
  try {
    await client.query(`SET search_path TO "${scratch.schema}"`);
    // An empty table is read whole whatever its indexes: ask what the planner can do without that.
    await client.query('SET enable_seqscan = off');
    for (const page of ['', 'AND (expires_at COLLATE "C", id) > ($3, $4)']) {
      const params = page ? [AT, 100, AT, 'a'] : [AT, 100];
      const { rows } = await client.query(
        `EXPLAIN SELECT * FROM approvals WHERE status = 'pending' AND expires_at COLLATE "C" <= $1 ${page}
         ORDER BY expires_at COLLATE "C", id LIMIT $2`,
        params,
      );
      const plan = (rows as { 'QUERY PLAN': string }[]).map((r) => r['QUERY PLAN']).join('\n');
      assert.match(plan, /Index Scan using approvals_overdue/, plan);
      assert.doesNotMatch(plan, /\bSort\b/, `no sort:\n${plan}`);
    }
  } finally {
    await client.end();
    await scratch.drop();
  }
});
