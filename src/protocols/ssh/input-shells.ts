// Which remote commands run a shell that reads its commands from the channel's input (`ssh host
// bash < script`, `ssh host 'sh -s'`, a program driving ssh through pipes): there each line of
// input is a command line, judged by stdin-commands.ts before it passes. Pure: text only. Where
// the words leave it unclear, the answer is yes: judging data as command lines costs a record,
// missing a shell costs the guardrail.
import { REDIRECTION, type SimpleCommand, simpleCommands } from './action-facts.js';
import { joinContinuations } from './shell-continuation.js';
import { unquoteWord } from './shell-word.js';
import { expandedProgramName, replaceSubstitutions } from './transfer-commands.js';

/**
 * Shells that read their commands from standard input when given no script and no -c: bash under
 * its restricted name too (`rbash`, installed with bash on Debian), the Korn shells' other builds,
 * and the C shells and fish.
 */
export const SHELLS = new Set([
  'sh',
  'bash',
  'rbash',
  'dash',
  'zsh',
  'ksh',
  'ksh93',
  'mksh',
  'lksh',
  'pdksh',
  'oksh',
  'ash',
  'posh',
  'yash',
  'csh',
  'tcsh',
  'fish',
]);
/**
 * Programs that start the user's shell when given no command to run (`unshare`, `chroot /`,
 * `nsenter -t 1 -m`), or always (`newgrp`, `sg GROUP` alone, `script`, which runs one on a
 * terminal of its own and passes it its input): that shell reads the input.
 */
const BARE_SHELL_STARTERS = new Set([
  'unshare',
  'chroot',
  'nsenter',
  'newgrp',
  'sg',
  'script',
  // Also with no command: a root shell (`pkexec`, systemd's `run0`), a shell under fakeroot, in a
  // sandbox (`firejail`) or in a container (`systemd-nspawn -D /srv/c`, `lxc-attach -n c`).
  'pkexec',
  'run0',
  'fakeroot',
  'firejail',
  'systemd-nspawn',
  'lxc-attach',
]);
/** Programs that start a login shell when given no command (`su`, `su - root`, `runuser -l deploy`). */
const SWITCH_USER = new Set(['su', 'runuser']);
/** Wrappers whose -s or -i (or --shell, --login) start the target user's shell (`sudo -s`, `doas -s`). */
const SHELL_WRAPPERS = new Set(['sudo', 'doas']);
/** Script paths that are the shell's own input: `bash /dev/stdin` reads the channel as `bash` does. */
const STDIN_PATHS = new Set(['-', '/dev/stdin', '/dev/fd/0', '/proc/self/fd/0']);
/** How deep `-c` strings and `eval` words are read before the answer is yes. */
const MAX_DEPTH = 6;
/** ssh's options that take a value (`-p 22`, `-i key`): the destination is the first other word. */
const SSH_VALUED = 'BbcDEeFIiJLlmOopQRSWw';
/** Long options of bash and zsh that take the next word as their value, not a script. */
const VALUED_LONG = new Set(['--rcfile', '--init-file']);

/**
 * Whether a remote command runs a shell reading its commands from the channel's input
 * (`ssh host bash < script`, `ssh host 'sh -s' < script`): then that input is command lines, as
 * for a shell request. Every simple command of the line is read (actionFacts' reading, wrappers
 * included), so a shell behind a redirection (`bash 2>&1`), a wrapper (`env bash`, `sudo -s`, `su
 * -`), a pipe (`cat | bash`) or a list (`cd / && sh`) counts too: what the shell runs must be judged
 * whatever stands around it. A shell with `-c`, or with a script file that is not its own input,
 * reads none of its commands from the input. Where it cannot tell, it says yes: judging data as
 * command lines costs a record, missing commands costs the guardrail.
 */
export function readsCommandsFromInput(command: string, depth = 0): boolean {
  // Past this many strings inside strings (`sh -c "sh -c '…'"`) the answer is yes.
  if (depth > MAX_DEPTH) return true;
  const text = joinContinuations(command);
  // A program named by an expansion (`$0`, the login shell under sshd's `SHELL -c`; `"$SHELL"`;
  // `$(cat)`) or a glob (`/bin/ba?h`) may be a shell: only running it can tell. (A remote command
  // like this is refused before it runs, transfer-commands.ts; inside a `-c` string it is not.)
  if (expandedProgramName(text) !== undefined) return true;
  // A shell sources the file BASH_ENV or ENV names before its command (`BASH_ENV=/dev/stdin bash -c
  // true`, `ENV=/dev/stdin sh -ic :`), and a function passed as BASH_FUNC_ stands in for a command:
  // a command that sets any of them in any way (`export`, `printf -v`, `env`) may run the input.
  if (/\b(?:BASH_ENV|ENV|BASH_FUNC_\w*)\b/.test(text)) return true;
  // Read three ways: as the words split at each substitution (`echo $(bash)` runs bash on the
  // input), with each substitution left as a word in its place (`eval "$(cat)"`, `bash -c
  // "$(cat)"`), and with quotes of any depth gone (`bash -c "sh -c 'true; bash'"`: the words are
  // split at blanks and separators whatever the quotes, so nested strings are read this way).
  const unquoted = text.replace(/['"\\]/g, '');
  return [text, replaceSubstitutions(text, '$_'), unquoted].some((reading) =>
    simpleCommands(reading).some((command) => startsInputShell(command, depth)),
  );
}

function startsInputShell({ chain, args }: SimpleCommand, depth: number): boolean {
  const words = [...chain.flatMap((c) => c.options), ...args].map(unquoteWord);
  if (runsInputAsScript(chain, args, depth)) return true;
  for (const { name, options } of chain) {
    if (SWITCH_USER.has(name) && !words.some((w) => /^-[A-Za-z]*c|^--(session-)?command/.test(w)))
      return true;
    // `sudo -s CMD` runs CMD through the shell with -c, reading no input; counted all the same
    // (`sudo -iu root` reads as sudo running `root`, so what follows the options cannot be trusted).
    const flags = options.map(unquoteWord);
    if (SHELL_WRAPPERS.has(name) && flags.some((w) => /^-[A-Za-z]*[si]|^--(shell|login)$/.test(w)))
      return true;
  }
  const program = chain.at(-1)!.name;
  const plain = args.map(unquoteWord);
  // `xargs sh -c …` runs words of the input as the shell's command string (`xargs -I{} sh -c {}`).
  if (SHELLS.has(program) && chain.some((c) => c.name === 'xargs')) return true;
  if (SHELLS.has(program)) return shellReadsInput(args, depth);
  // `ssh -T localhost` from the host: a login shell on the other end reads this input.
  if (program === 'ssh' || program === 'slogin') return sshReadsInput(args, depth);
  if (BARE_SHELL_STARTERS.has(program) && startsBareShell(program, plain)) return true;
  // `capsh … -- ARGS` runs bash with ARGS (`capsh --` is bash on the input); `systemd-run --shell`
  // and `machinectl shell [MACHINE]` start one.
  if (program === 'capsh' && plain.includes('--'))
    return shellReadsInput(args.slice(plain.indexOf('--') + 1), depth);
  if (program === 'systemd-run' && chain.at(-1)!.options.some((o) => /^-[A-Za-z]*S$|^--shell$/.test(o)))
    return true;
  if (program === 'machinectl' && plain[0] === 'shell') return plain.length <= 2;
  // A shell among the words of a program Vigil does not read (`docker exec -i web sh`, `kubectl
  // exec -i pod -- bash`) may be one it starts on this input: counted, as the doc comment says.
  // A path counts only in a bin directory (`/bin/sh`): `rsync --server … /srv/sh` names a file.
  return plain.some(
    (w, i) =>
      SHELLS.has(w.slice(w.lastIndexOf('/') + 1)) &&
      (!w.includes('/') || /(?:^|\/)bin\/[^/]+$/.test(w)) &&
      shellReadsInput(args.slice(i + 1), depth),
  );
}

/** Whether a program of BARE_SHELL_STARTERS, with these words after it, starts a shell on the input. */
function startsBareShell(program: string, words: readonly string[]): boolean {
  // The wrappers (action-facts.ts) end the chain here only when no command follows them.
  if (program === 'unshare' || program === 'chroot' || program === 'nsenter') return true;
  // `sg GROUP CMD` and `sg GROUP -c CMD` run CMD; the group alone starts a shell.
  if (program === 'sg') return words.filter((w) => !w.startsWith('-')).length <= 1;
  return true;
}

/**
 * A shell's own words (as written, quotes kept): no script operand other than its input (`-s` says
 * so outright), or a `-c` string that itself starts such a shell (`sh -c bash`, `bash -c 'exec bash
 * -i'`), names its program by an expansion, or is not there (`xargs sh -c`, which gives it one).
 */
function shellReadsInput(raw: readonly string[], depth = 0): boolean {
  const words = raw.map(unquoteWord);
  const operands: string[] = [];
  const options: string[] = [];
  let operandAt = raw.length;
  let flags = true;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const redirection = REDIRECTION.exec(w);
    // A redirection is the shell's, not an argument: `bash 2>&1`, `sh > log` (with its target).
    if (redirection) {
      if (redirection[0] === w) i++;
    } else if (flags && w === '--') flags = false;
    else if (flags && /^[-+][oO]$/.test(w)) i++;
    else if (flags && VALUED_LONG.has(w)) {
      // An interactive shell runs its startup file first (`bash --rcfile /dev/stdin -ic true`).
      if (readsInputAsFile(raw[i + 1] ?? '')) return true;
      i++;
    } else if (flags && /^--(?:rcfile|init-file)=/.test(w)) {
      if (readsInputAsFile(raw[i]!.slice(raw[i]!.indexOf('=') + 1))) return true;
    } else if (flags && /^[-+]/.test(w) && w !== '-') options.push(w);
    else {
      operands.push(w);
      operandAt = i;
      // The first operand is the script; the words after it are its arguments.
      break;
    }
  }
  if (options.some((w) => /^-[A-Za-z]*c/.test(w))) {
    // The words are split at blanks, quotes or not: the string and the words after it (`$0`, `$1`)
    // are read together, which can only add shells, never hide one.
    const string = raw.slice(operandAt);
    return string.length === 0 || readsCommandsFromInput(unquoteWord(string.join(' ')), depth + 1);
  }
  if (options.some((w) => /^-[A-Za-z]*s/.test(w))) return true;
  return operands.length === 0 || STDIN_PATHS.has(operands[0]!);
}

/**
 * Whether the command's `sudo` reads its password from the input (`-S`, `--stdin`) before the shell
 * behind it reads commands there (`sudo -S -s`, `sudo -S bash`): whether the first line is a password
 * or a command depends on whether sudo asks for one, which Vigil cannot know. Judged and recorded as
 * a command line it would store the password; passed on unrecorded it may be a command.
 */
export function readsPasswordFromInput(command: string): boolean {
  return simpleCommands(joinContinuations(command)).some(({ chain }) =>
    chain.some(
      ({ name, options }) =>
        SHELL_WRAPPERS.has(name) &&
        options.map(unquoteWord).some((w) => /^-[A-Za-z]*S/.test(w) || w === '--stdin'),
    ),
  );
}

/**
 * Whether a shell reading its input expands history from the start: an interactive one (`bash -i`)
 * or one told to (`-H`). A shell without a terminal does not otherwise, so a `!` in its input (a
 * here-document's text) is left alone; once it does, `!!:1` builds a line from pieces of earlier
 * ones that were each allowed (`echo forbidden-` then `touch !!:1marker`).
 */
export function expandsHistoryAtStart(command: string): boolean {
  return simpleCommands(joinContinuations(command)).some(({ chain, args }) => {
    const words = args.map(unquoteWord);
    return (
      SHELLS.has(chain.at(-1)!.name) &&
      shellReadsInput(args) &&
      words.some((w) => /^-[A-Za-z]*[iH]/.test(w) || w === 'histexpand')
    );
  });
}

/**
 * Builtins and wrappers that run the input, or text read from it, as shell code: `. /dev/stdin`,
 * `source <(cat)`, `eval "$(cat)"`, `read l; eval "$l"`, `env -S 'bash'` (its string split into a
 * command Vigil does not read). `eval` with plain words runs them as a line: read as one.
 */
function runsInputAsScript(chain: SimpleCommand['chain'], args: readonly string[], depth: number): boolean {
  const program = chain.at(-1)!.name;
  if (chain.some((c) => c.name === 'env' && c.options.some((o) => /^-[A-Za-z]*S|^--split-string/.test(o))))
    return true;
  if (program === '.' || program === 'source') {
    const script = args.find((w) => !REDIRECTION.test(w) || w.startsWith('<'));
    return script === undefined || /^<|[$`*?[]/.test(script) || STDIN_PATHS.has(unquoteWord(script));
  }
  if (program === 'eval') {
    if (args.some((w) => /[$`<]/.test(w))) return true;
    return readsCommandsFromInput(args.map(unquoteWord).join(' '), depth + 1);
  }
  return false;
}

/** Whether a file operand may be the channel's input: a path to it, or a name the shell expands. */
function readsInputAsFile(raw: string): boolean {
  return (
    /^<|[$`*?[]/.test(raw) ||
    STDIN_PATHS.has(unquoteWord(raw)) ||
    /^\/dev\/fd\/|^\/proc\//.test(unquoteWord(raw))
  );
}

/** ssh run on the host: with no command after the destination it starts a login shell on this input. */
function sshReadsInput(raw: readonly string[], depth: number): boolean {
  let i = 0;
  for (; i < raw.length; i++) {
    const w = unquoteWord(raw[i]!);
    if (w === '--') {
      i++;
      break;
    }
    if (!w.startsWith('-')) break;
    // `-p 22` takes the next word; `-p22` and `-tt` do not.
    if (w.length === 2 && SSH_VALUED.includes(w[1]!)) i++;
  }
  const command = raw.slice(i + 1);
  if (command.length === 0) return true;
  return readsCommandsFromInput(unquoteWord(command.join(' ')), depth + 1);
}
