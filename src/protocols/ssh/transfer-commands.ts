// Commands that run a file-transfer server Vigil would not read. Vigil judges an sftp session
// packet by packet and a legacy scp stream line by line only when the command is the exact form it
// reads (runsSftpServer, scpCommand). Anything else that starts the sftp server or `scp -t`/`scp
// -f` (behind a wrapper, `sudo scp -t /etc/x`; after a command that eats a prefix of the input,
// `head -c1; sftp-server`, so the sniffer never sees the INIT header; a name spelled with quotes
// the shell removes, `s'f'tp-server`, `\scp`) would get its packets as unread data: no file rule
// would apply. Such a command is refused. So is one whose program name only running it can tell
// (`$x -t /etc/x`, `$(echo scp)`, a glob): it could be either. Pure: text only; a program that
// starts the server itself (a script, an interpreter's code) is beyond it, as docs/ssh.md says.
import { simpleCommands } from './action-facts.js';
import { joinContinuations } from './shell-continuation.js';
import { unquoteWord } from './shell-word.js';

/** The sftp server's name, however the path before it reads. */
const SFTP_SERVER = /sftp-server/i;
/**
 * `scp` as a word (a path's last part too) with the sink's or source's option, `-t`/`-f` alone or
 * in a cluster (`-rt`, `-pf`), anywhere before the simple command ends. The client has no
 * lower-case t or f option (its `-T` and `-F` are capitals), so either is the server side; the
 * name in any case, as a case-insensitive file system runs it.
 */
const SCP_SERVER = /(?:^|[^\w.-])[Ss][Cc][Pp](?=[\s;&|)]|$)[^;&|\n]*?\s-[\w-]*[tf]/;
/** What the shell expands in a command name: parameters, substitutions, globs. */
const EXPANDED_NAME = /[$`*?[]/;

/**
 * Why the exec command runs the sftp server or scp's server side in a form Vigil does not read, or
 * null. `env` is the client's environment requests (an accepted `LC_X=sftp-server` makes `$LC_X`
 * the server). Call it only for a command that is not the exact form read as sftp or scp.
 */
export function unreadTransfer(command: string, env: Readonly<Record<string, string>> = {}): string | null {
  const named = namesTransferServer(command, env);
  if (named) return named;
  const unknown = expandedProgramName(command);
  if (unknown === undefined) return null;
  return `a command whose program name the host's shell expands (${JSON.stringify(unknown)}) may run either`;
}

/** The first program name in the text that the host's shell expands (`$x`, `$(…)`, a glob), if any. */
export function expandedProgramName(command: string): string | undefined {
  return programNames(joinContinuations(command)).find(
    (name) => EXPANDED_NAME.test(name) && name !== '[' && name !== '[[',
  );
}

/** Why the text names the sftp server or scp's server side anywhere, however quoted, or null. */
export function namesTransferServer(text: string, env: Readonly<Record<string, string>> = {}): string | null {
  const assignments = Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
  const texts = readings(`${assignments}\n${joinContinuations(text)}`);
  if (texts.some((t) => SFTP_SERVER.test(t))) return 'a command that runs the sftp server other than alone';
  if (texts.some((t) => SCP_SERVER.test(t))) return 'a command that runs scp -t or scp -f other than alone';
  return null;
}

/**
 * The command as written, and as the shell reads it once and again with quotes and backslashes
 * removed (a `sh -c "…"` string is quoted twice), and with every expansion that may be empty
 * dropped (`sftp-ser${x}ver`, `sc$()p`): each is searched for the servers' names.
 */
function readings(text: string): string[] {
  const out = [text];
  let current = text;
  for (let i = 0; i < 4; i++) {
    const next = unquoteWord(current);
    if (next === current) break;
    out.push(next);
    current = next;
  }
  // Quotes of any depth and backslashes gone altogether: `s\"f\"tp-server` inside another string.
  out.push(text.replace(/['"\\]/g, ''));
  for (const t of [...out]) out.push(withoutExpansions(t));
  return out;
}

/** The text with `$x`, `${…}`, `$(…)` and backquoted parts removed. */
function withoutExpansions(text: string): string {
  return replaceSubstitutions(text, '').replace(/\$\{[^}]*\}|\$[A-Za-z_]\w*|\$[0-9@*#?$!-]/g, '');
}

/** Each `$(…)` (nested parentheses counted) and backquoted part replaced by `by`; `bodies` gets their insides. */
export function replaceSubstitutions(text: string, by: string, bodies: string[] = []): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$(', i)) {
      let depth = 0;
      let j = i + 1;
      for (; j < text.length; j++) {
        if (text[j] === '(') depth++;
        else if (text[j] === ')' && --depth === 0) break;
      }
      // `$((…))` is arithmetic: its words are not commands.
      if (!text.startsWith('$((', i)) bodies.push(text.slice(i + 2, j));
      out += by;
      i = j + 1;
    } else if (text[i] === '`') {
      const end = text.indexOf('`', i + 1);
      const stop = end < 0 ? text.length : end;
      bodies.push(text.slice(i + 1, stop));
      out += by;
      i = stop + 1;
    } else {
      out += text[i++];
    }
  }
  return out;
}

/**
 * The last part of each program name the text runs (wrappers' too, and those inside its
 * substitutions), each substitution read as the word it becomes (`$(echo scp) -t` runs a program
 * named by `$(…)`). Only the last part counts: `$HOME/bin/deploy` runs `deploy`. Separators inside
 * quotes are text (`echo "a; $b"` runs echo alone).
 */
function programNames(text: string, depth = 0): string[] {
  const bodies: string[] = [];
  const line = maskQuotedSeparators(replaceSubstitutions(text, '$_', bodies));
  const names = simpleCommands(line).flatMap(({ chain }) => chain.map((c) => c.name));
  if (depth < 8) for (const body of bodies) names.push(...programNames(body, depth + 1));
  return names;
}

/** The text with the shell's separators inside quotes made plain letters, so simpleCommands keeps the quoted word whole. */
function maskQuotedSeparators(text: string): string {
  let out = '';
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote === null && ch === '\\') {
      out += ch + (text[i + 1] ?? '');
      i++;
      continue;
    }
    if (quote === null && (ch === "'" || ch === '"')) quote = ch;
    else if (quote !== null && ch === quote) quote = null;
    out += quote !== null && /[;&|()<>{}\n\s]/.test(ch) ? '_' : ch;
  }
  return out;
}

/** Whether a line a shell reads runs the sftp server or scp's server side in any form (no stream is read there). */
export function startsTransferServer(line: string): boolean {
  // A comment line alone runs nothing (a `#` inside an open quote is text, hence one line only).
  if (/^\s*#/.test(line) && !line.includes('\n')) return false;
  return namesTransferServer(line) !== null;
}
