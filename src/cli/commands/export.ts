// `vigil export SESSION -o FILE`: a self-contained bundle that `vigil verify --bundle` checks with
// no database and no gateway.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { exportBundle } from '../../ledger/bundle.js';
import { recordCliAudit } from '../audit.js';
import { loadCliConfig, openStore } from '../context.js';
import type { SetExitCode } from './index.js';
import { ledgerKeyring } from './keys.js';

export function register(program: Command, _setExitCode: SetExitCode): void {
  program
    .command('export')
    .description('write a session with its proofs, signed checkpoint and public key to a bundle file')
    .argument('<session>', 'session id')
    .requiredOption('-o, --output <file>', 'bundle file to write ("-" for standard output)')
    .action(async (sessionId: string, opts: { output: string }) => {
      const loaded = loadCliConfig(program.opts());
      const store = await openStore(loaded);
      try {
        await recordCliAudit(store.ledger, { what: 'export', session: sessionId });
        const bundle = await exportBundle(store.ledger, sessionId, ledgerKeyring(loaded), {
          source: store.eventSource,
        });
        if (opts.output === '-') process.stdout.write(`${bundle}\n`);
        else {
          writeFileSync(opts.output, `${bundle}\n`, { mode: 0o600 });
          console.error(`exported session ${sessionId} to ${opts.output}`);
        }
      } finally {
        await store.close();
      }
    });
}
