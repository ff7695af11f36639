// Stand-ins for the commands the catalog names, enough for `vigil --help` (and `vigil`, an unknown
// command's suggestion) to say what the modules would, without loading them: the same name,
// arguments, `[options]` and description, in the same order (catalog.ts). A stand-in never runs a
// command: main.ts registers them only when the words name no command the catalog knows, and should
// commander reach one anyway, it says which, and main.ts loads the real command and parses again.
import { type Command, Option } from 'commander';
import { CATALOG, type CommandSummary } from './catalog.js';
import type { RegisterCommand } from './index.js';

/** Thrown when a stand-in is asked to run: main.ts then loads the command's module. */
export class StubReached extends Error {
  constructor(readonly command: string) {
    super(`vigil ${command} was reached through its stand-in`);
  }
}

function addStub(program: Command, summary: CommandSummary): void {
  const command = program.command(summary.name).description(summary.description);
  for (const arg of summary.args ?? []) command.argument(arg);
  // The help lists `[options]` for a command with any option, hidden ones included.
  if (summary.options) command.addOption(new Option('--stand-in').hideHelp());
  command
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      throw new StubReached(summary.name);
    });
}

/**
 * What `vigil --help` registers: the stand-ins, and the protocol modules' own commands (loaded: only
 * the protocol registry knows their names), in the catalog's order.
 */
export function helpRegisters(): Promise<RegisterCommand[]> {
  return Promise.all(
    CATALOG.map(async (entry): Promise<RegisterCommand> => {
      const summaries = entry.commands;
      if (summaries === null) return (await entry.load()).register;
      return (program) => {
        for (const summary of summaries) addStub(program, summary);
      };
    }),
  );
}
