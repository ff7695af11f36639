// `vigil export SESSION -o FILE`: a self-contained bundle that `vigil verify --bundle` checks with
// no database and no gateway; `--format asciicast` writes a terminal session for asciinema instead.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { VigilError } from '../../core/errors.js';
import { asciicast, terminalRecording } from '../../core/terminal-recording.js';
import { exportBundle } from '../../ledger/bundle.js';
import { recordCliAudit } from '../audit.js';
import { loadCliConfig, openExistingStore } from '../context.js';
import type { SetExitCode } from './index.js';
import { ledgerKeyring } from './keys.js';

export function register(program: Command, _setExitCode: SetExitCode): void {
  program
    .command('export')
    .description('write a session with its proofs, signed checkpoint and public key to a bundle file')
    .argument('<session>', 'session id')
    .requiredOption('-o, --output <file>', 'file to write ("-" for standard output)')
    .option(
      '--format <format>',
      'bundle (verifiable) or asciicast (a terminal session, for asciinema play)',
      'bundle',
    )
    .action(async (sessionId: string, opts: { output: string; format: string }) => {
      if (opts.format !== 'bundle' && opts.format !== 'asciicast') {
        throw new VigilError('usage', '--format must be bundle or asciicast');
      }
      const loaded = loadCliConfig(program.opts());
      const store = await openExistingStore(loaded);
      try {
        await recordCliAudit(store.ledger, { what: 'export', session: sessionId });
        let text: string;
        if (opts.format === 'asciicast') {
          const session = await store.ledger.getSession(sessionId);
          if (!session) throw new VigilError('session_unknown', `no session ${sessionId}`);
          const events = await store.ledger.readSession(sessionId);
          const recording = terminalRecording(events);
          if (!recording) throw new VigilError('usage', `session ${sessionId} has no terminal recording`);
          text = asciicast(recording, events, `${session.identity.subject} on ${session.connection}`);
        } else {
          text = await exportBundle(store.ledger, sessionId, ledgerKeyring(loaded), {
            source: store.eventSource,
          });
        }
        if (opts.output === '-') process.stdout.write(`${text}\n`);
        else {
          writeFileSync(opts.output, `${text}\n`, { mode: 0o600 });
          console.error(`exported session ${sessionId} to ${opts.output}`);
        }
      } finally {
        await store.close();
      }
    });
}
