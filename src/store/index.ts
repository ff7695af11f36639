// Opens the store bundle the configuration names. The only place that knows which backends exist:
// everything else sees the ports (core/ports.ts StoreBundle).
import { join } from 'node:path';
import type { VigilConfig } from '../core/config.js';
import { VigilError } from '../core/errors.js';
import type { StoreBundle } from '../core/ports.js';
import { SQLITE_FILE, SqliteStoreBundle } from './sqlite/sqlite-store-bundle.js';

/** The parts of the configuration a store reads. */
export type StoreConfig = Pick<VigilConfig, 'store' | 'durability' | 'append_in_worker'>;

/**
 * Async although SQLite opens synchronously: a networked backend connects and migrates first, and
 * callers should not have to change when one is added.
 */
export async function openStore(config: StoreConfig, dataDir: string): Promise<StoreBundle> {
  const type = config.store.type;
  switch (type) {
    case 'sqlite':
      return new SqliteStoreBundle(join(dataDir, SQLITE_FILE), {
        synchronous: config.durability,
        appendInWorker: config.append_in_worker,
      });
    default:
      return unknownStore(type);
  }
}

function unknownStore(type: never): never {
  // The schema admits only known types; this guards a config built around it.
  throw new VigilError('config_invalid', `unknown store type ${String(type)}`);
}
