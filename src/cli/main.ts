// The `vigil` command. Each subcommand lives in cli/commands/ and registers itself on the program;
// only the module of the command the words name is loaded (commands/catalog.ts), `vigil --help`
// lists stand-ins built from the catalog (commands/command-stubs.ts) beside the protocol modules'
// commands, and `vigil --version` loads no command, so neither waits for every store and SDK.
// Exit codes: 0 success, 1 verification failed or request denied, 2 usage or configuration error.

import { Command, CommanderError } from 'commander';
import { isVigilError } from '../core/errors.js';
import { inertLine } from '../core/inert-text.js';
import { catalogEntryOf } from './commands/catalog.js';
import { helpRegisters, StubReached } from './commands/command-stubs.js';
import type { RegisterCommand, SetExitCode } from './commands/index.js';
import { requestedCommand } from './commands/requested-command.js';
import { packageVersion } from './version.js';

/** `vigil --version` and `vigil -V` alone need no command at all. */
const VERSION_ONLY = /^(-V|--version)$/;

export async function main(argv: readonly string[]): Promise<number> {
  const words = argv.slice(2);
  const name = requestedCommand(words);
  const entry = name === null ? undefined : catalogEntryOf(name);
  let registers: RegisterCommand[];
  if (entry) registers = [(await entry.load()).register];
  else if (words.length === 1 && VERSION_ONLY.test(words[0]!)) registers = [];
  else registers = await helpRegisters();
  try {
    return await run(argv, registers);
  } catch (err) {
    if (!(err instanceof StubReached)) throw err;
    const reached = catalogEntryOf(err.command);
    if (!reached) throw err;
    return run(argv, [(await reached.load()).register]);
  }
}

/** The root command with `registers`' commands; exported for the test that keeps the help the modules' own. */
export function vigilProgram(registers: readonly RegisterCommand[], setExitCode: SetExitCode): Command {
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
  for (const register of registers) register(program, setExitCode);
  return program;
}

/** Parses `argv` against the root with `registers`' commands. */
async function run(argv: readonly string[], registers: readonly RegisterCommand[]): Promise<number> {
  let exitCode = 0;
  const program = vigilProgram(registers, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (err) {
    if (err instanceof StubReached) throw err;
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
