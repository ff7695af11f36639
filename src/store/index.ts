// Opens the store bundle the configuration names. The only place that knows which backends exist:
// everything else sees the ports (core/ports.ts StoreBundle).
import { join } from 'node:path';
import type { VigilConfig } from '../core/config.js';
import { VigilError } from '../core/errors.js';
import type { StoreBundle } from '../core/ports.js';
import { openObjectStore } from './objects/open-object-store.js';
import { OffloadingStoreBundle } from './offloading-store.js';
import { resolveDatabaseUrl } from './postgres/database-url.js';
import { PostgresStoreBundle } from './postgres/postgres-store-bundle.js';
import { SQLITE_FILE, SqliteStoreBundle } from './sqlite/sqlite-store-bundle.js';

/** The parts of the configuration a store reads (`payloads` absent: every payload inline). */
export type StoreConfig = Pick<VigilConfig, 'store' | 'durability' | 'append_in_worker'> &
  Partial<Pick<VigilConfig, 'payloads'>>;

export interface OpenStoreOptions {
  /**
   * A second reader of a store a gateway has open (its tree builder thread): SQLite read-only
   * without an append worker, PostgreSQL with a pool of two.
   */
  readonly reader?: boolean;
}

/**
 * Async although SQLite opens synchronously: PostgreSQL connects and migrates first. `baseDir` is
 * where a `file:` reference in the store's URL is relative to (the configuration file's folder).
 * With a `payloads` section, large payloads go to its object store (offloading-store.ts).
 */
export async function openStore(
  config: StoreConfig,
  dataDir: string,
  baseDir: string = process.cwd(),
  options: OpenStoreOptions = {},
): Promise<StoreBundle> {
  const payloads = config.payloads;
  // Credentials first: a reference that does not resolve fails before the database is opened.
  const objects = payloads ? openObjectStore(payloads.objects, dataDir, baseDir) : null;
  const backend = await openBackend(config, dataDir, baseDir, options.reader === true).catch(
    async (err: unknown) => {
      await objects?.close();
      throw err;
    },
  );
  return objects && payloads ? new OffloadingStoreBundle(backend, objects, payloads.offload_above) : backend;
}

async function openBackend(
  config: StoreConfig,
  dataDir: string,
  baseDir: string,
  reader = false,
): Promise<StoreBundle> {
  const store = config.store;
  switch (store.type) {
    case 'sqlite':
      return openSqlite(
        join(dataDir, SQLITE_FILE),
        reader
          ? { readonly: true }
          : { synchronous: config.durability, appendInWorker: config.append_in_worker },
      );
    case 'postgres':
      return PostgresStoreBundle.open({
        url: resolveDatabaseUrl(store.url, baseDir),
        max: reader ? 2 : store.pool.max,
        schema: store.schema,
      });
    default:
      return unknownStore(store);
  }
}

/** The file an embedded store keeps the ledger in, or null when the store is a server (PostgreSQL). */
export function embeddedLedgerFile(config: StoreConfig, dataDir: string): string | null {
  return config.store.type === 'sqlite' ? join(dataDir, SQLITE_FILE) : null;
}

/** SQLite's own codes for a file that is not (or no longer) a database, as a stable error. */
function openSqlite(path: string, options: ConstructorParameters<typeof SqliteStoreBundle>[1]): StoreBundle {
  try {
    return new SqliteStoreBundle(path, options);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT')
      throw new VigilError('store_unreadable', `${path} is not a database Vigil can read (${code})`);
    throw err;
  }
}

/** What `vigil migrate` did: the store's type, its schema version after, and the versions applied now. */
export interface StoreMigration {
  readonly type: StoreConfig['store']['type'];
  readonly version: number;
  /** Null where the backend does not say (SQLite applies its migrations whenever it is opened). */
  readonly applied: readonly number[] | null;
}

/** Opens the configured store (which brings its schema up to date), reports the version and closes it. */
export async function migrateStore(
  config: StoreConfig,
  dataDir: string,
  baseDir?: string,
): Promise<StoreMigration> {
  const bundle = await openBackend(config, dataDir, baseDir ?? process.cwd());
  try {
    if (bundle instanceof PostgresStoreBundle) return { type: config.store.type, ...bundle.migration };
    if (bundle instanceof SqliteStoreBundle) {
      const row = bundle.database.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as {
        version: number | null;
      };
      return { type: config.store.type, version: row.version ?? 0, applied: null };
    }
    throw new VigilError('config_invalid', `store type ${config.store.type} has no migrations`);
  } finally {
    await bundle.close();
  }
}

function unknownStore(store: never): never {
  // The schema admits only known types; this guards a config built around it.
  throw new VigilError('config_invalid', `unknown store type ${String((store as { type?: unknown }).type)}`);
}
