// `vigil replay SESSION`: a terminal session played back in the user's terminal (terminal-replay.ts);
// any other session, or with --transcript, its events in order; with --json, the events as JSON.
import type { Command } from 'commander';
import { VigilError } from '../../core/errors.js';
import { terminalRecording } from '../../core/terminal-recording.js';
import { recordCliAudit } from '../audit.js';
import { loadCliConfig, openExistingStore } from '../context.js';
import { renderReplay } from '../replay-render.js';
import { playRecording } from '../terminal-replay.js';
import type { SetExitCode } from './index.js';

interface ReplayOptions {
  json?: boolean;
  transcript?: boolean;
  speed: string;
  skipIdle?: string;
  atCommand?: string;
}

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new VigilError('usage', `${name} must be a positive number`);
  return value;
}

export function register(program: Command, _setExitCode: SetExitCode): void {
  program
    .command('replay')
    .description(
      'play a terminal session, or show every prompt, response, statement and command of a session',
    )
    .argument('<session>', 'session id')
    .option('--json', 'print the recorded events as JSON')
    .option('--transcript', 'list the events of a terminal session instead of playing it')
    .option('--speed <factor>', 'play faster (2) or slower (0.5)', '1')
    .option('--skip-idle <seconds>', 'cut pauses longer than this')
    .option('--at-command <n>', 'start at the Nth command line typed at a prompt')
    .action(async (sessionId: string, opts: ReplayOptions) => {
      const speed = positive('--speed', opts.speed);
      const skipIdle = opts.skipIdle === undefined ? null : positive('--skip-idle', opts.skipIdle);
      const atCommand = opts.atCommand === undefined ? null : positive('--at-command', opts.atCommand);
      const store = await openExistingStore(loadCliConfig(program.opts()));
      try {
        const session = await store.ledger.getSession(sessionId);
        if (!session) throw new VigilError('session_unknown', `no session ${sessionId}`);
        const events = await store.ledger.readSession(sessionId);
        await recordCliAudit(store.ledger, { what: 'events', session: sessionId });
        const recording = opts.json || opts.transcript ? null : terminalRecording(events);
        if (opts.json) console.log(JSON.stringify({ session, events }, null, 2));
        else if (recording) {
          if (atCommand !== null && !recording.commands[atCommand - 1]) {
            throw new VigilError('usage', `the session has ${recording.commands.length} command lines`);
          }
          await playRecording(recording, {
            speed,
            skipIdle,
            atCommand,
            write: (text) => process.stdout.write(text),
            sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
          });
          process.stdout.write('\r\n');
        } else console.log(renderReplay(events));
      } finally {
        await store.close();
      }
    });
}
