// What most CLI commands need: the configuration (from --config, VIGIL_CONFIG, ./vigil.yaml, or the
// demo defaults) and the store under its data directory, opened directly so they work while the
// gateway is down.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { VigilError } from '../core/errors.js';
import type { StoreBundle } from '../core/ports.js';
import { configSchema } from '../protocols/index.js';
import { type LoadedConfig, loadConfigFile } from '../server/load-config.js';
import { embeddedLedgerFile, openStore as openConfiguredStore } from '../store/index.js';

export interface GlobalOptions {
  readonly config?: string;
  readonly data?: string;
}

export function locateConfig(options: GlobalOptions): string | null {
  const explicit = options.config ?? process.env.VIGIL_CONFIG;
  if (explicit) return explicit;
  return existsSync('vigil.yaml') ? 'vigil.yaml' : null;
}

/** Loads the configuration; with no file anywhere, the demo defaults (data in ./.vigil). */
export function loadCliConfig(options: GlobalOptions): LoadedConfig {
  const path = locateConfig(options);
  const loaded: LoadedConfig = path
    ? loadConfigFile(path)
    : { config: configSchema.parse({}), path: null, dataDir: resolve('.vigil') };
  if (options.data) return { ...loaded, dataDir: resolve(options.data) };
  return loaded;
}

/** The store the configuration names (the gateway's own), opened beside any running gateway. */
export async function openStore(loaded: LoadedConfig): Promise<StoreBundle> {
  mkdirSync(loaded.dataDir, { recursive: true, mode: 0o700 });
  // A `file:` store URL is relative to the configuration file, as every secret reference is.
  return openConfiguredStore(
    loaded.config,
    loaded.dataDir,
    loaded.path ? dirname(loaded.path) : process.cwd(),
  );
}

/**
 * The store of a command that reads the ledger (verify, export, replay, sessions, tree, rerun,
 * purge): an embedded store that is not there is refused, not created. Opened as openStore would,
 * `vigil verify` on a data directory whose database was deleted, or on a mistyped one, made an
 * empty ledger and reported it intact.
 */
export async function openExistingStore(loaded: LoadedConfig): Promise<StoreBundle> {
  const file = embeddedLedgerFile(loaded.config, loaded.dataDir);
  if (file !== null && !existsSync(file)) {
    throw new VigilError(
      'ledger_missing',
      `no ledger at ${file}: point --data or --config at the gateway's data directory`,
    );
  }
  return openStore(loaded);
}
