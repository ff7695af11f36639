// `vigil migrate`: creates or updates the schema of the store the configuration names, and exits.
// The gateway does the same when it starts (under the same advisory lock on a shared database, so
// replicas starting together are safe); running it first lets a deployment fail early, with a role
// that may change the schema, before gateways start with one that only reads and writes rows.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { migrateStore, type StoreMigration } from '../../store/index.js';
import { loadCliConfig } from '../context.js';
import type { SetExitCode } from './index.js';

export function register(program: Command, _setExitCode: SetExitCode): void {
  program
    .command('migrate')
    .description('create or update the schema of the configured store (the gateway also does it at start)')
    .option('--json', 'print the outcome as JSON')
    .action(async (opts: { json?: boolean }) => {
      const loaded = loadCliConfig(program.opts());
      mkdirSync(loaded.dataDir, { recursive: true, mode: 0o700 });
      const baseDir = loaded.path ? dirname(loaded.path) : process.cwd();
      const outcome = await migrateStore(loaded.config, loaded.dataDir, baseDir);
      console.log(opts.json ? JSON.stringify(outcome, null, 2) : describeMigration(outcome));
    });
}

function describeMigration(m: StoreMigration): string {
  if (m.applied === null) return `${m.type} store: schema version ${m.version} (migrated when opened)`;
  if (m.applied.length === 0) return `${m.type} store: schema version ${m.version}, already current`;
  return `${m.type} store: applied migration(s) ${m.applied.join(', ')}; schema version ${m.version}`;
}
