// How an SSH action reads to policy. `text` is what a rule's pattern sees: the whole command line
// for ssh.exec and ssh.command, `upload PATH` / `download PATH` / `remove PATH` for ssh.file (the
// path resolved as the host resolves it, with other readings beside it: file-readings.ts),
// `direct-tcpip HOST:PORT` for ssh.forward. `tools` lists the command names of every simple
// command in the line (after `;`, `&&`, `||`, `|`, `&`, `(`, `$(`, backquote, newline), with
// leading assignments skipped and wrappers such as sudo or chroot kept alongside the command they run, so a
// rule can match `tools: [shutdown, reboot]`. A best effort over shell syntax: docs/ssh.md says
// what it cannot see. Payloads come from clients: read defensively, never throw.
import { type ActionFacts, NO_FACTS } from '../../core/actions.js';
import type { EventType, JsonObject } from '../../core/events.js';
import { fileReadings } from './file-readings.js';
import { hostReadings } from './forward-readings.js';
import { joinContinuations } from './shell-continuation.js';
import { splitRedirections, unquoteWord } from './shell-word.js';

/**
 * Wrappers that run another command: their short options that take a value (skipped with it), and
 * how many plain arguments come before the command they run (chroot's new root, taskset's mask).
 */
interface Wrapper {
  readonly valued: string;
  readonly positionals?: number;
  /** A leading plain argument that is a number (timeout's duration, nice's old-style `-5` aside). */
  readonly numeric?: boolean;
  /** Long options that take the next word as their value (`pkexec --user root`). */
  readonly long?: readonly string[];
}
const WRAPPERS: Readonly<Record<string, Wrapper>> = {
  sudo: { valued: 'ugpCDRTUh' },
  doas: { valued: 'uC' },
  pkexec: { valued: '', long: ['--user'] },
  run0: {
    valued: 'ugD',
    long: ['--user', '--group', '--chdir', '--setenv', '--unit', '--property', '--slice'],
  },
  fakeroot: { valued: 'lisb', long: ['--lib', '--faked'] },
  firejail: { valued: '' },
  'systemd-nspawn': { valued: 'DMuEiS' },
  'lxc-attach': { valued: 'nsPvuL' },
  runuser: { valued: 'ugG' },
  su: { valued: 'sg' },
  env: { valued: 'uSC' },
  nice: { valued: 'n' },
  ionice: { valued: 'cnp' },
  chrt: { valued: '', positionals: 1 },
  taskset: { valued: '', positionals: 1 },
  timeout: { valued: 'sk', positionals: 1, numeric: true },
  stdbuf: { valued: 'ioe' },
  setsid: { valued: '' },
  setpriv: { valued: '' },
  unshare: { valued: '' },
  nsenter: { valued: 'tSG' },
  chroot: { valued: '', positionals: 1 },
  flock: { valued: 'wEn', positionals: 1 },
  strace: { valued: 'eopsuEIbPXa' },
  ltrace: { valued: 'eopsuEnA' },
  busybox: { valued: '' },
  'systemd-run': { valued: 'puEM' },
  xargs: { valued: 'nILPsdaE' },
  nohup: { valued: '' },
  time: { valued: '' },
  exec: { valued: 'a' },
  command: { valued: '' },
  builtin: { valued: '' },
  watch: { valued: 'nd' },
};

export function describeSshAction(type: EventType, payload: JsonObject): ActionFacts | null {
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  switch (type) {
    case 'ssh.exec':
    case 'ssh.command': {
      // Read as the shell reads it: `rm -rf \<newline>/` is `rm -rf /` (shell-continuation.ts).
      const command = joinContinuations(str(payload.command));
      const env = environmentOf(payload.env);
      // The environment the client asked for runs with the command, as `K=V command` would
      // (LD_PRELOAD, BASH_ENV: a host that accepts them runs more than the text shows).
      const alternates = env === '' ? [] : [`${env} ${command}`.trim()];
      // A line read from the screen is also judged as its keystrokes tell it: the screen is drawn
      // by whatever writes to the terminal, a background job too.
      const keystrokes = joinContinuations(str(payload.keystrokes));
      // The last line of a continued statement is also read alone: a shell that rejected the
      // earlier lines (a syntax error) reads it as a statement of its own.
      const alone = str(payload.line);
      const others = [keystrokes, alone].filter((t) => t !== '');
      alternates.push(...others);
      return {
        ...NO_FACTS,
        text: command,
        tools: commandNames(command),
        alternateTexts: alternates,
        alternateTools: others.flatMap(commandNames),
      };
    }
    case 'ssh.file': {
      const operation = str(payload.operation);
      const read = fileReadings(operation, str(payload.path), str(payload.target));
      const alternates = [...read.alternates];
      // Where the paths lead on the host, through any link on the way (sftp-resolve.ts), read too.
      const path = str(payload.resolved_path) || str(payload.path);
      const target = str(payload.resolved_target) || str(payload.target);
      const resolved = fileReadings(operation, path, target);
      if (path !== str(payload.path) || target !== str(payload.target)) {
        alternates.push(resolved.text, ...resolved.alternates);
      }
      // A setstat that sets the size truncates or extends the file: it writes it, as an upload does.
      if (operation === 'setstat' && typeof payload.sets_size === 'number') {
        for (const p of new Set([str(payload.path), path])) {
          const written = fileReadings('upload', p, '');
          alternates.push(written.text, ...written.alternates);
        }
      }
      // An allow must hold for every end and every reading of it (file-judging.ts): the reading
      // being judged is the text, and the written one joins the other readings.
      const judged = judgedReading(operation, payload);
      const text = judged ?? read.text;
      const others = [...new Set([read.text, ...alternates])].filter((t) => t !== text);
      return { ...NO_FACTS, text, alternateTexts: others };
    }
    case 'ssh.forward': {
      const at = (host: string) => `${str(payload.kind)} ${host}:${String(payload.port ?? '')}`.trim();
      // The host resolves the name: `127.1` and `::ffff:127.0.0.1` reach 127.0.0.1 (forward-readings.ts).
      return {
        ...NO_FACTS,
        text: at(str(payload.host)),
        alternateTexts: hostReadings(str(payload.host)).map(at),
      };
    }
    default:
      return null;
  }
}

/** Which of a file action's paths an allow rule is asked about (file-judging.ts), as `OPERATION PATH`. */
export const JUDGED_READINGS = ['resolved_path', 'target', 'resolved_target'] as const;

function judgedReading(operation: string, payload: JsonObject): string | null {
  const field = payload.judged_reading;
  if (typeof field !== 'string' || !(JUDGED_READINGS as readonly string[]).includes(field)) return null;
  const path = payload[field];
  return typeof path === 'string' && path !== '' ? fileReadings(operation, path, '').text : null;
}

/** An exec's environment requests as the assignments a shell line would carry, or ''. */
function environmentOf(env: unknown): string {
  if (env === null || typeof env !== 'object' || Array.isArray(env)) return '';
  return Object.entries(env as Record<string, unknown>)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : ''}`)
    .join(' ');
}

/** Reserved words a command may follow (`then rm`, `! rm`): the command is the word after them. */
const LEADING_RESERVED = new Set([
  'if',
  'then',
  'else',
  'elif',
  'do',
  'while',
  'until',
  '!',
  'coproc',
  'fi',
  'done',
  'esac',
]);
/** `X=1`, `a[0]=1`, `a+=1`: assignments before a command. */
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/;
/** A redirection (`>f`, `2>&1`, `<<EOF`, `&>>f`, `{fd}>f`), alone (its target is the next word) or with its target. */
export const REDIRECTION = /^(\d+|\{[A-Za-z_][A-Za-z0-9_]*\})?(>>?|>\||<<?<?-?|<>|>&|<&|&>>?)/;
/** Where a simple command ends: lists, pipes (`|&` too), background `&` (not the `&` of `2>&1` or `&>`), groups, substitutions, newlines. */
const COMMAND_BREAK = /;|&&|\|\||\|&?|(?<![<>])&(?!>)|\(|\)|\$\(|`|\n|\{|\}/;

/** The command names of each simple command of a shell line (basename of the program). */
export function commandNames(line: string): string[] {
  const names: string[] = [];
  for (const command of simpleCommands(line)) {
    for (const { name } of command.chain) if (!names.includes(name)) names.push(name);
  }
  return names;
}

/** One simple command: the programs it runs (wrappers first, each with the words it took) and the last one's arguments. */
export interface SimpleCommand {
  readonly chain: readonly { readonly name: string; readonly options: readonly string[] }[];
  /** The words after the last program, as written (quotes kept; redirections included). */
  readonly args: readonly string[];
}

/** Each simple command of a shell line, read as commandNames reads it. */
export function simpleCommands(line: string): SimpleCommand[] {
  const commands: SimpleCommand[] = [];
  for (const segment of line.split(COMMAND_BREAK)) {
    const words = segment
      .trim()
      .split(/\s+/)
      .filter((w) => w !== '')
      // `rm</dev/null -rf /` runs rm: the shell ends a word where a redirection starts.
      .flatMap(splitRedirections);
    const command = commandOfWords(words);
    if (command !== null) commands.push(command);
  }
  return commands;
}

/** One simple command's words (quotes kept) read as simpleCommands reads them, or null when it runs nothing. */
export function commandOfWords(words: readonly string[]): SimpleCommand | null {
  let i = 0;
  // Before the command's name: reserved words, assignments and redirections, in any order.
  while (i < words.length) {
    const w = words[i]!;
    const redirection = REDIRECTION.exec(w);
    if (LEADING_RESERVED.has(w) || ASSIGNMENT.test(w)) i++;
    else if (redirection) i += redirection[0] === w ? 2 : 1;
    else break;
  }
  const chain: { name: string; options: string[] }[] = [];
  while (i < words.length) {
    // Quotes and backslashes are removed first: `\rm`, `r''m` and `$'\x72m'` all run rm.
    const word = unquoteWord(words[i]!);
    const name = word.slice(word.lastIndexOf('/') + 1);
    if (name === '' || name.startsWith('-')) break;
    const options: string[] = [];
    chain.push({ name, options });
    const wrapper = Object.hasOwn(WRAPPERS, name) ? WRAPPERS[name] : undefined;
    i++;
    if (wrapper === undefined) break;
    // A wrapper's options (with their values), assignments and its own plain arguments come before the command it runs.
    let positionals = wrapper.positionals ?? 0;
    let flags = true;
    while (i < words.length) {
      const w = words[i]!;
      const redirection = REDIRECTION.exec(w);
      if (redirection) {
        // `sudo </dev/null rm`: the redirection is the shell's, with its target when apart.
        if (redirection[0] === w && i + 1 < words.length) {
          options.push(w);
          i++;
        }
      } else if (flags && w === '--') flags = false;
      else if (
        flags &&
        ((/^-[A-Za-z]$/.test(w) && wrapper.valued.includes(w[1]!)) || wrapper.long?.includes(w))
      ) {
        // The option's value is the next word, taken with it.
        options.push(w);
        i++;
        if (i >= words.length) break;
      } else if (flags && (w.startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(w))) {
        // An option or an assignment (env's): skipped.
      } else if (positionals > 0 && (!wrapper.numeric || /^\d/.test(w))) positionals--;
      else break;
      options.push(words[i]!);
      i++;
    }
  }
  return chain.length > 0 ? { chain, args: words.slice(i) } : null;
}
