// `vigil replay SESSION`: a session's events in order, from the store.
import type { Command } from 'commander';
import { VigilError } from '../../core/errors.js';
import { recordCliAudit } from '../audit.js';
import { loadCliConfig, openStore } from '../context.js';
import { renderReplay } from '../replay-render.js';
import type { SetExitCode } from './index.js';

export function register(program: Command, _setExitCode: SetExitCode): void {
  program
    .command('replay')
    .description('show every prompt, response, statement and command of a session, in order')
    .argument('<session>', 'session id')
    .option('--json', 'print the recorded events as JSON')
    .action(async (sessionId: string, opts: { json?: boolean }) => {
      const store = await openStore(loadCliConfig(program.opts()));
      try {
        const session = await store.ledger.getSession(sessionId);
        if (!session) throw new VigilError('session_unknown', `no session ${sessionId}`);
        const events = await store.ledger.readSession(sessionId);
        await recordCliAudit(store.ledger, { what: 'events', session: sessionId });
        if (opts.json) console.log(JSON.stringify({ session, events }, null, 2));
        else console.log(renderReplay(events));
      } finally {
        await store.close();
      }
    });
}
