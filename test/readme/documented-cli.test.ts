// Every `vigil` command the README shows (its CLI table and its shell examples) exists, with every
// option it is shown with, in the CLI that `vigil` runs: the program main() builds from the command
// registry. A README that shows a renamed or missing option, or leaves out an option the command
// cannot run without, fails here rather than in a new user's terminal.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Command } from 'commander';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { runCli } from '../support/cli.js';
import { type DocumentedCommand, docCommands, documentedCommands } from './readme-commands.js';

const commands = documentedCommands(readFileSync('README.md', 'utf8'));

/** The `vigil` program as main() builds it (root options included), without running anything. */
function vigilProgram(): Command {
  const program = new Command('vigil').option('-c, --config <file>').option('--data <dir>').exitOverride();
  for (const register of COMMANDS) register(program, () => undefined);
  return program;
}

interface Resolved {
  /** The commands the words reach, outermost first (the root included). */
  readonly chain: readonly Command[];
  /** The first word that names no subcommand where one was needed. */
  readonly unknown?: string;
}

/** Walks the words down the command tree, as commander does; arguments end the walk. */
function resolve(program: Command, words: readonly string[]): Resolved {
  const chain = [program];
  for (const word of words) {
    const current = chain.at(-1)!;
    const sub = current.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (sub) {
      chain.push(sub);
      continue;
    }
    // A word after a command with subcommands must name one; after a leaf it is an argument.
    if (current.commands.length > 0) return { chain, unknown: word };
    break;
  }
  return { chain };
}

/** A command accepts its own options, its ancestors' (commander passes them up) and, when named
 * without a subcommand, its default subcommand's (`vigil grants --all` is `vigil grants list --all`). */
function accepts(chain: readonly Command[], option: string): boolean {
  const leaf = chain.at(-1)!;
  const fallback = leaf.commands.find(
    (c) => (leaf as unknown as { _defaultCommandName?: string })._defaultCommandName === c.name(),
  );
  const candidates = [...chain, ...(fallback ? [fallback] : [])];
  if (option === '--help' || option === '-h') return true;
  return candidates.some((c) => c.options.some((o) => o.long === option || o.short === option));
}

test('the README shows vigil commands to check', () => {
  // The parser finding nothing would make the next test pass vacuously.
  assert.ok(commands.length >= 40, `only ${commands.length} documented commands found`);
  for (const words of ['sessions', 'replay', 'verify', 'export', 'policy test', 'approvals approve']) {
    assert.ok(
      commands.some((c) => c.words.join(' ').startsWith(words)),
      `the README's vigil ${words} was not found`,
    );
  }
});

/** What in `documented` the CLI lacks: a command, or an option of the command it names. */
function missingFromCli(documented: readonly DocumentedCommand[]): string[] {
  const program = vigilProgram();
  const wrong: string[] = [];
  for (const { words, options, source } of documented) {
    const { chain, unknown } = resolve(program, words);
    if (chain.length === 1 || unknown) {
      wrong.push(`no command vigil ${words.join(' ')} (${source})`);
      continue;
    }
    for (const option of options) {
      if (!accepts(chain, option))
        wrong.push(
          `vigil ${chain
            .slice(1)
            .map((c) => c.name())
            .join(' ')} has no ${option} (${source})`,
        );
    }
  }
  return wrong;
}

test('every command and option the README shows is one the CLI has', () => {
  assert.deepEqual(missingFromCli(commands), []);
});

test('every command and option docs/ shows is one the CLI has', () => {
  const pages = readdirSync('docs').filter((f) => f.endsWith('.md'));
  const shown = pages.flatMap((f) => docCommands(readFileSync(`docs/${f}`, 'utf8'), `docs/${f}`));
  // As for the README: finding nothing would pass vacuously.
  assert.ok(shown.length >= 60, `only ${shown.length} vigil commands found in docs/`);
  assert.deepEqual(missingFromCli(shown), []);
});

test('the README shows policy test with what it cannot run without', async () => {
  // `vigil policy test` needs the connection and the acting identity: the real CLI refuses a sample
  // without them, so a README row that leaves them out sends the reader to two usage errors.
  const missing = await runCli(['policy', 'test', '--sql', 'select 1']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--connection is required/);
  const rows = commands.filter((c: DocumentedCommand) => c.words.join(' ') === 'policy test');
  assert.ok(rows.length > 0);
  for (const row of rows) {
    assert.ok(row.options.includes('--connection'), `${row.source} lacks --connection`);
    assert.ok(row.options.includes('--user'), `${row.source} lacks --user`);
  }
});
