// An upgrade as an operator meets it: a store opened as the gateway opens it and written to, set back
// to what an earlier version left (columns dropped, keys as it wrote them, migrations unrecorded),
// then opened again, which runs the migrations from there. On SQLite in a temporary folder, and on
// a scratch PostgreSQL schema.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import pg from 'pg';
import type { StoreBundle } from '../../src/core/ports.js';
import { configSchema } from '../../src/protocols/index.js';
import { openStore } from '../../src/store/index.js';
import { scratchPostgresStore } from '../support/postgres-store.js';
import { sqliteDatabase } from './sqlite-handle.js';

type Write = (store: StoreBundle) => Promise<void>;

export async function upgradeSqlite(
  seed: Write,
  setBack: (db: Database.Database) => void,
  check: Write,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-upgrade-'));
  const config = configSchema.parse({ store: { type: 'sqlite' }, append_in_worker: false });
  try {
    const store = await openStore(config, dir);
    await seed(store);
    setBack(sqliteDatabase(store));
    await store.close();
    const upgraded = await openStore(config, dir);
    try {
      await check(upgraded);
    } finally {
      await upgraded.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `setBack` runs on a connection of its own, with the store's schema as its search path. */
export async function upgradePostgres(
  seed: Write,
  setBack: (client: pg.Client) => Promise<void>,
  check: Write,
): Promise<void> {
  const scratch = await scratchPostgresStore('schema');
  const config = configSchema.parse({ store: scratch.section });
  try {
    const store = await openStore(config, '/nonexistent');
    await seed(store);
    await store.close();
    const client = new pg.Client({ connectionString: scratch.url });
    await client.connect();
    try {
      await client.query(`SET search_path TO "${scratch.schema}"`);
      await setBack(client);
    } finally {
      await client.end();
    }
    const upgraded = await openStore(config, '/nonexistent');
    try {
      await check(upgraded);
    } finally {
      await upgraded.close();
    }
  } finally {
    await scratch.drop();
  }
}
