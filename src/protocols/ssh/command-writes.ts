// The files an exec command writes by its text, so that a file rule holds for `ssh host 'cat >
// /etc/x'` as it does for an sftp upload to /etc/x: the targets of its output redirections (`>`,
// `>>`, `>|`, `&>`, `<>`, `>&FILE`, anywhere in the line, in substitutions and `sh -c` strings too),
// and the paths the well-known writers take as arguments (tee, cp, mv, install, ln, dd of=, sed -i,
// tar's archive and extraction directory, truncate, touch, rm, mkdir, rmdir, chmod, chown, sort -o,
// curl -o, wget -O …). Each becomes an ssh.file action (`via: exec`) judged before the command runs.
//
// Where the text does not say which path is written, the answer is `uncertain` and the command is
// refused: a target the shell expands (`> $f`, `> $(…)`, a glob, `{a,b}`), a string run by `eval`,
// `xargs`, `find -exec` or `env -S`, a relative path after a `cd`, a writer under chroot. What this
// cannot see is what no text shows: a program that writes by its own logic (an interpreter's code,
// an editor, sed's `w` command, a script). Pure.
import { commandOfWords } from './action-facts.js';
import { type LexedCommand, lexCommandLine } from './command-lexer.js';
import { unquoteWord } from './shell-word.js';

export interface CommandWrite {
  readonly operation: 'upload' | 'remove' | 'mkdir' | 'rmdir' | 'setstat' | 'symlink' | 'hardlink';
  /** As the shell passes it (quotes removed, `~/` made relative to the login directory); a directory ends in `/`. */
  readonly path: string;
  /** The new name, for a link. */
  readonly target?: string;
  /** The program or redirection that writes it. */
  readonly by: string;
}

export interface CommandWrites {
  readonly writes: CommandWrite[];
  /** Why the paths written cannot be told from the text, or null. */
  readonly uncertain: string | null;
}

/** Redirections that open their target for writing (`>&word` too, unless it names a descriptor). */
const WRITE_REDIRECTIONS = new Set(['>', '>>', '>|', '&>', '&>>', '<>', '>&']);
/** Targets whose writing reaches no file. */
const NOT_FILES = /^\/dev\/(?:null|stdout|stderr|tty|fd\/\d+)$/;
/**
 * bash's network redirections (`</dev/tcp/HOST/PORT`, `>/dev/udp/…`) open a socket, never a file,
 * whatever HOST and PORT expand to. In a shell without them the path runs through /dev/tcp, a
 * directory Linux does not have, so the redirection fails: nothing is written either way.
 */
const NETWORK_TARGET = /^\/dev\/(?:tcp|udp)\//;
/** Shells whose `-c` string is a command line of its own. */
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'ash', 'busybox']);
/** Wrappers under which a path names another file than the text says (another root). */
const OTHER_ROOT = new Set(['chroot', 'systemd-nspawn', 'lxc-attach', 'nsenter', 'firejail', 'unshare']);
/** Programs that run a command line from their input or arguments Vigil cannot read. */
const RUNS_UNREAD = new Set(['xargs', 'parallel', 'watch']);
const MAX_DEPTH = 8;

class Uncertain extends Error {}

export function commandWrites(command: string): CommandWrites {
  const writes: CommandWrite[] = [];
  try {
    readLine(command, writes, { cd: false }, 0);
    return { writes: dedupe(writes), uncertain: null };
  } catch (err) {
    if (err instanceof Uncertain) return { writes: [], uncertain: err.message };
    throw err;
  }
}

interface LineState {
  /** A `cd` (or pushd, popd) ran earlier: relative paths lead elsewhere than the login directory. */
  cd: boolean;
}

function readLine(text: string, writes: CommandWrite[], state: LineState, depth: number): void {
  if (depth > MAX_DEPTH) throw new Uncertain('commands nested too deep to read');
  const lexed = lexCommandLine(text);
  for (const body of lexed.substitutions) readLine(body, writes, state, depth + 1);
  for (const command of lexed.commands) readCommand(command, writes, state, depth);
}

function readCommand(command: LexedCommand, writes: CommandWrite[], outer: LineState, depth: number): void {
  let state = outer;
  for (const { operator, target } of command.redirections) {
    if (!WRITE_REDIRECTIONS.has(operator)) continue;
    // `>&2`, `>&-`: a descriptor; `>&file` writes the file, as bash reads it.
    if (operator === '>&' && /^(?:\d+|-)$/.test(target)) continue;
    if (NETWORK_TARGET.test(target)) continue;
    const path = plainPath(target, state, `redirection ${operator}`);
    if (!NOT_FILES.test(path)) writes.push({ operation: 'upload', path, by: operator });
  }
  // Leading reserved words and assignments, then the programs (wrappers first) and their arguments.
  const simple = commandOfWords(command.words);
  if (simple === null) return;
  const names = simple.chain.map((c) => c.name);
  const program = names[names.length - 1]!;
  const args = [...simple.args];
  const found: Omit<CommandWrite, 'by'>[] = [];
  // `env -C DIR`, `sudo -D DIR`, `run0 --chdir`: the command runs elsewhere than the login directory.
  if (simple.chain.some((c) => c.options.some((o) => /^(?:-C|-D|--chdir|--directory|-w|--wd)/.test(o))))
    state = { ...state, cd: true };
  if (program === 'cd' || program === 'pushd' || program === 'popd') state.cd = true;
  if (program === 'eval') readLine(args.map(unquoteWord).join(' '), writes, state, depth + 1);
  else if (SHELLS.has(program)) {
    const script = shellScript(args);
    if (script !== null) readLine(script, writes, { ...state }, depth + 1);
  } else if (program === 'find') {
    readFind(args, writes, state, depth);
  }
  // su's and runuser's `-c` string is a command line (their other words read as a program's).
  if (names.includes('su') || names.includes('runuser')) {
    const script = optionValue(command.words, ['-c'], ['--command']);
    if (script !== null) readLine(unquoteWord(script), writes, { ...state }, depth + 1);
  }
  // `env -S 'tee /etc/x'`: the string is split into the command it runs, read as a line here.
  for (const { name, options } of simple.chain) {
    if (name !== 'env') continue;
    const split = optionValue(options, ['-S'], ['--split-string']);
    if (split !== null) readLine(unquoteWord(split), writes, state, depth + 1);
  }
  const writer = WRITERS[program];
  if (writer === undefined) return;
  const unread = names.find((n) => RUNS_UNREAD.has(n));
  if (unread !== undefined)
    throw new Uncertain(`${unread} runs ${program} on paths from its input, which Vigil cannot read`);
  for (const w of writer(args)) found.push(w);
  if (found.length > 0 && names.some((n) => OTHER_ROOT.has(n)))
    throw new Uncertain(`${program} under ${names.find((n) => OTHER_ROOT.has(n))} writes in another root`);
  for (const w of found) {
    writes.push({
      ...w,
      path: plainPath(w.path, state, program, w.operation === 'remove' || w.operation === 'rmdir'),
      ...(w.target !== undefined ? { target: plainPath(w.target, state, program) } : {}),
      by: program,
    });
  }
}

/** The `-c` string of a shell's arguments (`-c`, `-lc`, `-ec`…), unquoted, or null. */
function shellScript(args: readonly string[]): string | null {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('-')) return null;
    if (/^-[A-Za-z]*c[A-Za-z]*$/.test(a)) return args[i + 1] === undefined ? null : unquoteWord(args[i + 1]!);
  }
  return null;
}

/** find: `-delete` removes under its start points, `-fprint FILE` writes, `-exec CMD … ;` runs a command. */
function readFind(args: readonly string[], writes: CommandWrite[], state: LineState, depth: number): void {
  const starts: string[] = [];
  let i = 0;
  while (i < args.length && !/^[-(!]/.test(args[i]!)) starts.push(args[i++]!);
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-delete') {
      for (const start of starts.length > 0 ? starts : ['.'])
        writes.push({ operation: 'remove', path: asDirectory(plainPath(start, state, 'find')), by: 'find' });
    } else if (/^-f(?:print0?|printf|ls)$/.test(a) && args[i + 1] !== undefined) {
      writes.push({ operation: 'upload', path: plainPath(args[i + 1]!, state, 'find'), by: 'find' });
    } else if (/^-(?:exec|execdir|ok|okdir)$/.test(a)) {
      const end = args.findIndex((w, j) => j > i && /^(?:\\;|';'|";"|;|\+)$/.test(w));
      const words = args.slice(i + 1, end < 0 ? args.length : end);
      const inner: CommandWrite[] = [];
      readCommand({ words, redirections: [] }, inner, state, depth + 1);
      if (inner.length > 0) throw new Uncertain(`find ${a} runs a writer on paths only the host finds`);
      i = end < 0 ? args.length : end;
    }
  }
}

function asDirectory(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}

/**
 * The path a word passes, as the host is asked about it: quotes removed; `~/x` read from the login
 * directory. Expansions (`$x`, substitutions, globs, braces, `~user`) refuse the command, except a
 * glob in the last part of a path removed (`rm /tmp/*.log` removes in /tmp/, read as `/tmp/`).
 */
function plainPath(word: string, state: LineState, by: string, removes = false): string {
  if (word === '') throw new Uncertain(`${by} without a target`);
  const unquotedParts = word.replace(/'[^']*'|"(?:\\.|[^"\\])*"/g, '');
  if (/[$`]/.test(word))
    throw new Uncertain(`${by} writes to a path the shell expands (${JSON.stringify(word)})`);
  let path = unquoteWord(word);
  if (/[*?[{]/.test(unquotedParts) || /^~[^/]/.test(unquotedParts)) {
    const glob = /[*?[{]/.test(unquotedParts);
    const dir = path.slice(0, path.lastIndexOf('/') + 1);
    if (!removes || !glob || /[*?[{]/.test(dir) || dir === '')
      throw new Uncertain(`${by} writes to a path the shell expands (${JSON.stringify(word)})`);
    path = dir;
  }
  if (unquotedParts.startsWith('~')) return path === '~' ? './' : path.replace(/^~\//, '');
  if (!path.startsWith('/') && state.cd)
    throw new Uncertain(`${by} writes to a relative path (${JSON.stringify(path)}) after a cd`);
  return path;
}

/** The value of an option (`-o FILE`, `-oFILE`, `--output FILE`, `--output=FILE`), the last given, or null. */
function optionValue(
  args: readonly string[],
  short: readonly string[],
  long: readonly string[],
): string | null {
  let value: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    for (const s of short) {
      if (a === s && i + 1 < args.length) value = args[i + 1]!;
      else if (a.startsWith(s) && a.length > s.length && !a.startsWith('--')) value = a.slice(s.length);
    }
    for (const l of long) {
      if (a === l && i + 1 < args.length) value = args[i + 1]!;
      else if (a.startsWith(`${l}=`)) value = a.slice(l.length + 1);
    }
  }
  return value;
}

/** A program's plain arguments, past its options (`valued` short options and `long` ones take the next word). */
function operands(args: readonly string[], valued = '', long: readonly string[] = []): string[] {
  const out: string[] = [];
  let options = true;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (options && a === '--') options = false;
    else if (options && a.startsWith('--')) {
      if (long.includes(a)) i++;
    } else if (options && a.startsWith('-') && a !== '-') {
      const last = a.slice(1).search(new RegExp(`[${valued || '\\0'}]`));
      // `-t DIR` takes the next word; `-tDIR` carries it.
      if (last >= 0 && last === a.length - 2) i++;
    } else out.push(a);
  }
  return out;
}

type Writer = (args: readonly string[]) => Omit<CommandWrite, 'by'>[];
const each = (operation: CommandWrite['operation'], paths: readonly string[]) =>
  paths.filter((p) => p !== '-').map((path) => ({ operation, path }));

/** cp, mv, install, ln: the destination (a directory gets the sources' names), or `-t DIR`. */
function copies(valued: string, link?: 'symlink' | 'hardlink'): Writer {
  return (args) => {
    const directory = optionValue(args, ['-t'], ['--target-directory']);
    const plain = operands(args, `${valued}t`, ['--target-directory', '--suffix']);
    const symbolic = args.some((a) => a === '--symbolic' || /^-[A-Za-z]*s/.test(a));
    const operation = link === undefined ? 'upload' : symbolic ? 'symlink' : 'hardlink';
    const out: Omit<CommandWrite, 'by'>[] = [];
    const add = (source: string, name: string) =>
      out.push(link === undefined ? { operation, path: name } : { operation, path: source, target: name });
    const sources = directory !== null ? plain : plain.slice(0, -1);
    const dest = directory ?? (plain.length > 1 ? plain[plain.length - 1]! : null);
    if (dest === null) {
      // `ln -s /etc/shadow`: the link is made in the working directory under the source's name.
      if (link !== undefined && plain.length === 1) add(plain[0]!, basename(unquoteWord(plain[0]!)));
      return out;
    }
    if (directory === null) add(sources[0] ?? dest, dest);
    for (const s of sources) add(s, `${unquoteWord(dest).replace(/\/+$/, '')}/${basename(unquoteWord(s))}`);
    return out;
  };
}

function basename(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1) || trimmed;
}

/** tar: the archive it creates (`c`, `r`, `u`, `A`), the directories it extracts into (`x`). */
function tar(args: readonly string[]): Omit<CommandWrite, 'by'>[] {
  const words = [...args];
  // Old style: `tar xfC a.tar /etc` is `tar -x -f a.tar -C /etc`, each value the next word.
  const oldStyle = words[0] !== undefined && /^[A-Za-z]+$/.test(words[0]);
  if (oldStyle) words[0] = `-${words[0]}`;
  let mode = '';
  let file: string | null = null;
  const directories: string[] = [];
  let absolute = false;
  for (let i = 0; i < words.length; i++) {
    const a = words[i]!;
    const long = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (long) {
      const [, name, inline] = long;
      const value = () => inline ?? words[++i] ?? '';
      if (name === 'extract' || name === 'get') mode = 'x';
      else if (['create', 'append', 'update', 'concatenate', 'catenate', 'delete'].includes(name!))
        mode = 'c';
      else if (name === 'file') file = value();
      else if (name === 'directory') directories.push(value());
      else if (name === 'absolute-names') absolute = true;
      continue;
    }
    if (!/^-[A-Za-z]/.test(a)) continue;
    const letters = a.slice(1);
    const cluster = i === 0 && oldStyle;
    let next = i;
    for (let j = 0; j < letters.length; j++) {
      const l = letters[j]!;
      if (l === 'x') mode = 'x';
      else if ('cruA'.includes(l)) mode = 'c';
      else if (l === 'P') absolute = true;
      else if ('fCbgKLNTVXHI'.includes(l)) {
        // `-fa.tar` carries its value; old style and a cluster's last letter take the next word.
        const inline = cluster ? '' : letters.slice(j + 1);
        const value = inline !== '' ? inline : (words[++next] ?? '');
        if (l === 'f') file = value;
        if (l === 'C') directories.push(value);
        if (inline !== '') break;
      }
    }
    i = next;
  }
  if (mode === 'c') return file !== null && file !== '-' ? [{ operation: 'upload', path: file }] : [];
  if (mode !== 'x') return [];
  if (absolute) throw new Uncertain('tar -P extracts to the paths inside the archive');
  return (directories.length > 0 ? directories : ['.']).map((d) => ({
    operation: 'upload' as const,
    path: asDirectory(unquoteWord(d)),
  }));
}

/** sed: with -i (any cluster holding i, --in-place), the files after the script. */
function sed(args: readonly string[]): Omit<CommandWrite, 'by'>[] {
  let inPlace = false;
  let script = false;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--')) {
      if (a.startsWith('--in-place')) inPlace = true;
      else if (a === '--expression' || a === '--file' || a === '--line-length') {
        script ||= a !== '--line-length';
        i++;
      } else if (a.startsWith('--expression=') || a.startsWith('--file=')) script = true;
    } else if (/^-[A-Za-z]/.test(a)) {
      for (let j = 1; j < a.length; j++) {
        const l = a[j]!;
        // `-i[SUFFIX]`: the rest of the cluster is the backup suffix.
        if (l === 'i') {
          inPlace = true;
          break;
        }
        if ('efl'.includes(l)) {
          script ||= l !== 'l';
          if (j === a.length - 1) i++;
          break;
        }
      }
    } else if (!script) script = true;
    else files.push(a);
  }
  return inPlace ? each('upload', files) : [];
}

const WRITERS: Readonly<Record<string, Writer>> = {
  tee: (args) => each('upload', operands(args, '', ['--output-error'])),
  cp: copies('S'),
  mv: (args) => {
    const moved = copies('S')(args);
    const plain = operands(args, 'St', ['--target-directory', '--suffix']);
    const sources = optionValue(args, ['-t'], ['--target-directory']) !== null ? plain : plain.slice(0, -1);
    return [...moved, ...each('remove', sources)];
  },
  install: (args) =>
    args.some((a) => a === '-d' || a === '--directory')
      ? each(
          'mkdir',
          operands(args, 'mogSt', ['--mode', '--owner', '--group', '--suffix', '--target-directory']),
        )
      : copies('mogS')(args),
  ln: copies('S', 'symlink'),
  dd: (args) =>
    each(
      'upload',
      args.filter((a) => a.startsWith('of=')).map((a) => a.slice(3)),
    ),
  sed,
  tar,
  truncate: (args) => each('upload', operands(args, 'sr', ['--size', '--reference'])),
  touch: (args) => each('upload', operands(args, 'drt', ['--date', '--reference'])),
  mkfifo: (args) => each('upload', operands(args, 'mZ', ['--mode'])),
  mknod: (args) => each('upload', operands(args, 'mZ', ['--mode']).slice(0, 1)),
  shred: (args) => each('upload', operands(args, 'ns', ['--iterations', '--size', '--random-source'])),
  rm: (args) => each('remove', operands(args)),
  unlink: (args) => each('remove', operands(args)),
  rmdir: (args) => each('rmdir', operands(args)),
  mkdir: (args) => each('mkdir', operands(args, 'mZ', ['--mode'])),
  chmod: (args) => each('setstat', chOperands(args)),
  chown: (args) => each('setstat', chOperands(args)),
  chgrp: (args) => each('setstat', chOperands(args)),
  sort: (args) =>
    each(
      'upload',
      [optionValue(args, ['-o'], ['--output'])].filter((p) => p !== null),
    ),
  uniq: (args) =>
    each('upload', operands(args, 'fsw', ['--skip-fields', '--skip-chars', '--check-chars']).slice(1, 2)),
  curl: (args) =>
    each(
      'upload',
      [optionValue(args, ['-o'], ['--output'])].filter((p) => p !== null),
    ),
  wget: (args) => [
    ...each(
      'upload',
      [optionValue(args, ['-O'], ['--output-document'])].filter((p) => p !== null),
    ),
    ...each(
      'upload',
      [optionValue(args, ['-P'], ['--directory-prefix'])].filter((p) => p !== null).map(asDirectory),
    ),
  ],
  unzip: (args) => each('upload', [asDirectory(optionValue(args, ['-d'], []) ?? '.')]),
  openssl: (args) =>
    each(
      'upload',
      args.flatMap((a, i) => (a === '-out' && args[i + 1] !== undefined ? [args[i + 1]!] : [])),
    ),
};

/** chmod, chown, chgrp: the files after the mode or owner (none of them with --reference). */
function chOperands(args: readonly string[]): string[] {
  const plain = operands(args, '', ['--from']).filter((a) => !/^-[rwxXstugo]*$|^[+=]/.test(a));
  return args.some((a) => a.startsWith('--reference')) ? plain : plain.slice(1);
}

function dedupe(writes: CommandWrite[]): CommandWrite[] {
  const seen = new Set<string>();
  return writes.filter((w) => {
    const key = `${w.operation} ${w.path} ${w.target ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
