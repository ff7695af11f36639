// The `vigil` command. Each subcommand lives in cli/commands/ and registers itself on the program.
// Exit codes: 0 success, 1 verification failed or request denied, 2 usage or configuration error.

import { Command, CommanderError } from 'commander';
import { isVigilError } from '../core/errors.js';
import { inertLine } from '../core/inert-text.js';
import { COMMANDS } from './commands/index.js';
import { packageVersion } from './version.js';

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('vigil')
    .description('Vigil: the access gateway that records, masks and guards AI, database and server traffic')
    .option(
      '-c, --config <file>',
      'configuration file (default: $VIGIL_CONFIG or ./vigil.yaml, else the demo setup)',
    )
    .option('--data <dir>', 'data directory (overrides the configuration)')
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .exitOverride()
    .showHelpAfterError();
  let exitCode = 0;
  for (const register of COMMANDS) {
    register(program, (code) => {
      exitCode = code;
    });
  }
  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (isVigilError(err)) {
      // A gateway's error can quote recorded content: shown inertly, like every recorded text.
      console.error(`vigil: ${inertLine(err.message)} [${err.code}]`);
      // 1: verification failed or the request was refused (a 403); 2: usage, configuration, the rest.
      return err.code === 'ledger_tampered' || err.status === 403 ? 1 : 2;
    }
    throw err;
  }
}
