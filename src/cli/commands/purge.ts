// `vigil purge --before DATE`: retention. Drops the payloads of older events; their hashes stay, so
// the ledger still verifies and reports those events as purged.
import type { Command } from 'commander';
import { loadCliConfig, openStore } from '../context.js';
import type { SetExitCode } from './index.js';
import { isoDate } from './sessions.js';

export function register(program: Command, _setExitCode: SetExitCode): void {
  program
    .command('purge')
    .description(
      'drop the payloads of events recorded before a date (hashes stay: the ledger still verifies)',
    )
    .requiredOption('--before <date>', 'date or ISO time')
    .option('--json', 'print JSON')
    .action(async (opts: { before: string; json?: boolean }) => {
      const before = isoDate(opts.before);
      const store = openStore(loadCliConfig(program.opts()));
      try {
        const purged = await store.purgePayloads(before);
        if (opts.json) console.log(JSON.stringify({ purged, before }));
        else console.log(`purged the payloads of ${purged} event(s) recorded before ${before}`);
      } finally {
        await store.close();
      }
    });
}
