// Brings a PostgreSQL schema up to date: every pending migration, in one transaction, under an
// advisory lock, so that gateways starting together (and `vigil migrate`) apply each one exactly
// once. The lock is transaction-scoped: a migrator that dies releases it with its connection.
import type pg from 'pg';
import { VigilError } from '../../core/errors.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';
import { safeInteger } from './pg-integers.js';
import { inTransaction } from './pg-pool.js';

export interface MigrationOutcome {
  /** Versions applied by this call (empty when the schema was already current). */
  readonly applied: readonly number[];
  /** The schema's version afterwards. */
  readonly version: number;
}

/** The advisory lock's key: one per schema, so stores in other schemas of a database do not wait. */
const LOCK_KEY_SQL = "SELECT pg_advisory_xact_lock(hashtextextended('vigil migrate ' || $1, 0))";

export async function migrate(pool: pg.Pool, schema: string): Promise<MigrationOutcome> {
  // A current schema needs no lock and no DDL: a gateway whose role may only read and write rows
  // (docs/scale-out.md) starts once `vigil migrate` has run with the owner's role.
  const current = await schemaVersion(pool, schema);
  if (current !== null && current >= POSTGRES_MIGRATIONS.length) {
    refuseNewer(schema, current);
    return { applied: [], version: current };
  }
  return inTransaction(pool, async (client) => {
    await client.query(LOCK_KEY_SQL, [schema]);
    // The identifier is checked by the configuration schema; quoted all the same.
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(`SET LOCAL search_path TO "${schema}"`);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
    );
    const rows = (await client.query('SELECT version FROM schema_migrations')).rows as { version: unknown }[];
    const done = new Set(rows.map((r) => safeInteger(r.version, 'schema_migrations.version')));
    refuseNewer(schema, Math.max(0, ...done));
    const applied: number[] = [];
    for (const [i, sql] of POSTGRES_MIGRATIONS.entries()) {
      const version = i + 1;
      if (done.has(version)) continue;
      await client.query(sql);
      await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [
        version,
        new Date().toISOString(),
      ]);
      applied.push(version);
    }
    return { applied, version: POSTGRES_MIGRATIONS.length };
  });
}

/** The schema's version, or null when it has no migrations table yet. */
async function schemaVersion(pool: pg.Pool, schema: string): Promise<number | null> {
  const table = `"${schema}".schema_migrations`;
  const { rows } = await pool.query('SELECT to_regclass($1) IS NOT NULL AS present', [table]);
  if (!(rows[0] as { present: boolean }).present) return null;
  const max = (await pool.query(`SELECT MAX(version) AS version FROM ${table}`)).rows[0] as {
    version: unknown;
  };
  return max.version === null ? 0 : safeInteger(max.version, 'schema_migrations.version');
}

/** A schema migrated by a newer Vigil may hold what this one would misread: refuse it. */
function refuseNewer(schema: string, version: number): void {
  if (version > POSTGRES_MIGRATIONS.length) {
    throw new VigilError(
      'store_unavailable',
      `schema ${schema} is at version ${version}, newer than this Vigil knows (${POSTGRES_MIGRATIONS.length}): upgrade Vigil`,
    );
  }
}
