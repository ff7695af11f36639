// `vigil` loads only the module of the command it runs. It used to load every command module at
// start (the configuration schema, both stores, every protocol module, the SDKs), so `vigil
// --version` and `vigil --help` took seconds on a loaded machine. The help is unchanged: the list
// `vigil --help` prints from the catalog's stand-ins (src/cli/commands/catalog.ts) is the one every
// module registered, byte for byte, and each command's own help, built from its module alone, is
// the one it had beside all the others.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { CATALOG } from '../../src/cli/commands/catalog.js';
import { helpRegisters } from '../../src/cli/commands/command-stubs.js';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { requestedCommand } from '../../src/cli/commands/requested-command.js';
import { vigilProgram } from '../../src/cli/main.js';
import { runProcess } from '../support/cli.js';

const ignore = () => undefined;
const HOOK = fileURLToPath(new URL('./support/loaded-modules.mjs', import.meta.url));

/** Every command under `command`, with its path of names, outermost first. */
function commandsUnder(command: Command, path: readonly string[] = []): [string[], Command][] {
  return command.commands.flatMap((c) => {
    const here = [...path, c.name()];
    return [[here, c] as [string[], Command], ...commandsUnder(c, here)];
  });
}

test("the stand-ins' help is every module's, byte for byte", async () => {
  const eager = vigilProgram(COMMANDS, ignore);
  const lazy = vigilProgram(await helpRegisters(), ignore);
  assert.equal(lazy.helpInformation(), eager.helpInformation());
  assert.deepEqual(
    lazy.commands.map((c) => c.name()),
    eager.commands.map((c) => c.name()),
    'every command, in order',
  );
  assert.equal(CATALOG.length, COMMANDS.length, 'one catalog entry for each module of the eager list');
});

test("each command's help, from its module alone, is the one it had beside the others", async () => {
  const eager = new Map(commandsUnder(vigilProgram(COMMANDS, ignore)).map(([p, c]) => [p.join(' '), c]));
  let compared = 0;
  for (const entry of CATALOG) {
    const alone = vigilProgram([(await entry.load()).register], ignore);
    if (entry.commands)
      assert.deepEqual(
        alone.commands.map((c) => c.name()),
        entry.commands.map((c) => c.name),
        'the module registers the commands the catalog says',
      );
    for (const [path, command] of commandsUnder(alone)) {
      const before = eager.get(path.join(' '));
      assert.ok(before, `vigil ${path.join(' ')} exists`);
      assert.equal(command.helpInformation(), before.helpInformation(), `vigil ${path.join(' ')} --help`);
      compared++;
    }
  }
  assert.equal(compared, eager.size, 'every command and subcommand compared');
});

test('the command the words run is read as commander reads them', () => {
  const cases: [string[], string | null][] = [
    [[], null],
    [['--version'], null],
    [['-V'], null],
    [['--help'], null],
    [['help'], null],
    [['help', 'verify'], 'verify'],
    [['help', '--help'], null],
    [['verify', '--json'], 'verify'],
    [['-c', 'vigil.yaml', 'sessions'], 'sessions'],
    [['--config', 'verify', 'sessions'], 'sessions'],
    [['--config=x.yaml', '--data', '/d', 'replay', 's1'], 'replay'],
    [['-cx.yaml', 'tree'], 'tree'],
    [['--help', 'keys'], 'keys'],
    [['--', 'purge'], 'purge'],
    [['verfy'], 'verfy'],
  ];
  for (const [words, expected] of cases) assert.equal(requestedCommand(words), expected, words.join(' '));
});

/** Runs `vigil words` from source and answers its output and the files of src/ it loaded. */
async function loadedBy(
  words: readonly string[],
): Promise<{ stdout: string; code: number | null; src: string[] }> {
  const log = join(mkdtempSync(join(tmpdir(), 'vigil-loaded-')), 'modules.txt');
  const run = await runProcess(
    process.execPath,
    ['--import', 'tsx', '--import', HOOK, 'src/cli/run.ts', ...words],
    { VIGIL_LOADED_MODULES: log, VIGIL_CONFIG: '' },
  );
  const root = new URL('../../src/', import.meta.url).href;
  const src = [
    ...new Set(
      readFileSync(log, 'utf8')
        .split('\n')
        .filter((url) => url.startsWith(root))
        .map((url) => url.slice(root.length)),
    ),
  ];
  return { stdout: run.stdout, code: run.code, src };
}

/** What the root needs: the entry, main, the catalog and stand-ins, the version, errors and inert text. */
const ROOT_MODULES =
  /^(cli\/(run|main|exit-code|version)\.ts|cli\/commands\/(catalog|command-stubs|requested-command)\.ts|core\/(errors|inert-text|visible-text)\.ts)$/;

/** What only a command's run needs: the configuration file, the stores, the gateway. */
const RUN_MODULES = /^(cli\/context\.ts|server\/|store\/)/;

test('vigil --version loads no command, and vigil --help only the protocol registry for its commands', {
  timeout: 120_000,
}, async () => {
  const version = await loadedBy(['--version']);
  assert.equal(version.code, 0);
  assert.deepEqual(
    version.src.filter((file) => !ROOT_MODULES.test(file)),
    [],
    "vigil --version loads only the root's modules",
  );
  const eagerHelp = vigilProgram(COMMANDS, ignore).helpInformation();
  for (const words of [['--help'], ['help']]) {
    const { stdout, code, src } = await loadedBy(words);
    assert.equal(code, 0, words.join(' '));
    assert.equal(stdout, eagerHelp, `vigil ${words.join(' ')}: the same help`);
    const commands = src.filter((file) => file.startsWith('cli/commands/') && !ROOT_MODULES.test(file));
    assert.deepEqual(
      commands,
      ['cli/commands/protocol-commands.ts'],
      `vigil ${words.join(' ')}: command modules`,
    );
    assert.deepEqual(
      src.filter((file) => RUN_MODULES.test(file)),
      [],
      `vigil ${words.join(' ')} loads no configuration, store or server`,
    );
  }
  // A command loads its own module, and not the others'.
  const { code, src } = await loadedBy(['sessions', '--help']);
  assert.equal(code, 0);
  assert.ok(src.includes('cli/commands/sessions.ts'));
  assert.ok(!src.includes('cli/commands/verify.ts'), 'vigil sessions does not load verify');
});
