// Whether a remote command's piped input (`ssh host CMD < file`, no terminal) is only data. Vigil
// judges the lines a shell reads (input-shells.ts), but a shell under another name (`cp /bin/bash
// /tmp/x; /tmp/x`, `ln -s /bin/sh ./s`) or an interpreter reading its program text from the input
// (`python3`, `perl`, `awk -f -`, `ed`, `node`, `busybox sh`, `sed e`) runs that input unjudged,
// and no list of interpreters can be complete. So the list is of the other kind: programs whose
// input is data whatever it holds. A command whose every program is on it (in a standard bin
// directory, or named bare with the search path untouched) has its input relayed as data; any
// other has its first byte of input refused (statement_uncertain) unless the connection names
// the program in `stdin_data_programs`. Pure: text only.
import { simpleCommands } from './action-facts.js';
import { SHELLS } from './input-shells.js';
import { joinContinuations } from './shell-continuation.js';
import { unquoteWord } from './shell-word.js';
import { expandedProgramName } from './transfer-commands.js';

/**
 * Programs that read their input as data only, never as a program (with DATA_ARGUMENT's care for
 * the few whose arguments could make them run something). sed (its `e` command runs the pattern
 * space), awk, sort (`--compress-program`), xargs and every interpreter are not.
 */
const DATA_PROGRAMS = new Set([
  'cat',
  'tee',
  'dd',
  'head',
  'tail',
  'wc',
  'base64',
  'base32',
  'md5sum',
  'sha1sum',
  'sha224sum',
  'sha256sum',
  'sha384sum',
  'sha512sum',
  'b2sum',
  'cksum',
  'gzip',
  'gunzip',
  'zcat',
  'bzip2',
  'bunzip2',
  'xz',
  'unxz',
  'zstd',
  'od',
  'hexdump',
  'cut',
  'tr',
  'uniq',
  'grep',
  'egrep',
  'fgrep',
  'tar',
  'rsync',
  'git-upload-pack',
  'git-receive-pack',
  'git-upload-archive',
  // Programs that do not read their input at all: what is piped to them goes nowhere.
  'true',
  'false',
  'echo',
  'printf',
  'ls',
  'pwd',
  'id',
  'whoami',
  'hostname',
  'uname',
  'date',
  'mkdir',
  'touch',
  'test',
  '[',
  'sleep',
]);
/** Wrappers that run the program after them on the same input, adding nothing that reads it. */
const PASSING_WRAPPERS = new Set([
  'sudo',
  'doas',
  'env',
  'nice',
  'ionice',
  'timeout',
  'stdbuf',
  'nohup',
  'time',
  'command',
  'exec',
  'setsid',
  'chrt',
  'taskset',
]);
/**
 * tar's options that run another program (`--to-command=sh` gives it each file's bytes, `-I prog`,
 * `--checkpoint-action=exec=…`), long ones by any prefix tar accepts, short ones in any bundle
 * (`-xIsh`, the old-style `xIf`).
 */
const TAR_RUNS_PROGRAM = /^--(?:to|use|che|inf|new|rsh|rmt)|^-?[A-Za-z]*[IF]/;
/** Standard bin directories: a program named by a path elsewhere (`/tmp/cat`) may be anything. */
const BIN_PATH = /^\/(?:usr\/)?(?:local\/)?s?bin\/[^/]+$/;
/** Text that changes what a bare name runs: the search path, aliases, functions, hashed paths. */
const RENAMES = /\bPATH\b|\balias\b|\bhash\b|\benable\b|\(\s*\)|\bfunction\b|\bcd\b|\bpushd\b/;

/**
 * Why the command's input may not be data (the program that may read it otherwise), or null when
 * every program it runs reads its input as data. `allowed`: the connection's stdin_data_programs.
 */
export function inputNotData(command: string, allowed: readonly string[] = [], depth = 0): string | null {
  if (depth > 4) return 'commands nested in command strings too deeply';
  const text = joinContinuations(command);
  const expanded = expandedProgramName(text);
  if (expanded !== undefined) return `a program named by an expansion (${JSON.stringify(expanded)})`;
  const commands = simpleCommands(text);
  if (commands.length === 0) return null;
  if (RENAMES.test(text))
    return 'a command that changes what a program name runs (PATH, alias, function, cd)';
  const words = text.split(/[\s;&|()<>`]+/).map(unquoteWord);
  for (const { chain, args } of commands) {
    const last = chain.at(-1)!;
    for (const { name } of chain) {
      // A copy under a data program's name (`cp /bin/bash /tmp/cat; /tmp/cat`) is not that program.
      const spelled = words
        .filter((w) => w.slice(w.lastIndexOf('/') + 1) === name && w.includes('/'))
        .find((w) => !BIN_PATH.test(w));
      if (spelled !== undefined) return `the program ${JSON.stringify(name)} at ${JSON.stringify(spelled)}`;
      if (name !== last.name && !PASSING_WRAPPERS.has(name)) return `the program ${JSON.stringify(name)}`;
    }
    if (allowed.includes(last.name)) continue;
    const why = `the program ${JSON.stringify(last.name)}`;
    // A shell given a command string (`bash -c "wc -l"`) passes its input to what the string runs.
    const plainArgs = args.map(unquoteWord);
    if (SHELLS.has(last.name) && /^-[A-Za-z]*c[A-Za-z]*$/.test(plainArgs[0] ?? '')) {
      const string = args.slice(1).join(' ');
      // The string's words were cut at a substitution (`bash -c "$(cat)"`): any expansion in the line counts.
      if (/[$`]/.test(text)) return `${why} with a command string that expands`;
      const inner = inputNotData(unquoteWord(string), allowed, depth + 1);
      if (inner !== null) return inner;
      continue;
    }
    if (!DATA_PROGRAMS.has(last.name)) return why;
    const plain = args.map(unquoteWord);
    if (
      last.name === 'tar' &&
      plain.some((w, i) => TAR_RUNS_PROGRAM.test(w) && (i === 0 || w.startsWith('-')))
    )
      return `${why} with an option that runs another`;
    if (last.name === 'rsync' && plain[0] !== '--server') return `${why} outside --server`;
  }
  return null;
}
