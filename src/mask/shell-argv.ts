// A command given as an array of words rather than a line: an MCP tool's `{"argv": ["mysql",
// "-uroot", "-p…"]}`, a container's `"command": ["sh", "-c", "PGPASSWORD=… psql"]`, a model's tool
// input `{"args": ["--password", "…"]}`. No shell reads it: each element reaches the program as one
// word, spaces and quotes included. Until 7 December each element was read alone, so `-p…` was no
// mysql option and `hunter2 words` after `--password` no value: the password was recorded as sent.
// Here the words are joined into the line the shell readers take (each element quoted so it stays
// one word), their spans are mapped back onto the elements, and a shell's `-c` string is read as
// the command line it is. An array of ordinary words has no secret option, variable or URL
// password, so it stays as it was.
import type { SecretNameMatcher } from './secret-names.js';
import { commandLineSecrets } from './shell-keys.js';
import { type ShellSecretSpan, shellSecretSpans } from './shell-line.js';

/**
 * Keys whose array of strings is one command's words: the shell keys of shell-keys.ts and the
 * names argv arrays go by (Docker's and Kubernetes' `command`, `args`, `entrypoint`, `cmd`).
 */
const ARGV_KEYS = /^(?:argv|args|command|cmd|command_?line|shell_command|exec|entrypoint)$/i;

export function isArgvKey(name: string): boolean {
  return ARGV_KEYS.test(name);
}

/**
 * The words before an `args` array that name its program, from the same object: Kubernetes'
 * `command` before `args`, Docker's `Entrypoint` before `Cmd`. `-p…` means a password only after
 * mysql, so `{"command": ["mysql"], "args": ["-p…"]}` is read as one command. Empty when none.
 */
export function argvProgram(object: Readonly<Record<string, unknown>>, key: string): string[] {
  const lower = key.toLowerCase();
  const names = lower === 'args' ? ['command', 'entrypoint'] : lower === 'cmd' ? ['entrypoint'] : [];
  for (const k of Object.keys(object)) {
    if (!names.includes(k.toLowerCase())) continue;
    const v = object[k];
    if (typeof v === 'string') return [v];
    if (Array.isArray(v) && v.length > 0 && v.every((w) => typeof w === 'string')) return v as string[];
  }
  return lower === 'args' ? [UNNAMED_PROGRAM] : [];
}

/**
 * Stands for the program an `args` array is given to when nothing names it: its first element is
 * then read as an argument (`--password …`), not as the command. No tool is called so.
 */
const UNNAMED_PROGRAM = 'program';

/**
 * Words that say an unnamed program is a MySQL client (`-uroot`, `--user=…`, `--host`, `-P3306`):
 * its `-p…` is then a password, as after `mysql`. Until 7 December `{"args": ["-uroot", "-p…"]}`
 * with no `command` beside it was read after no program, where `-p…` is no option, and the password
 * was recorded as sent. Without such a word `-p…` stays an option (`-pthread`, `-p8080`).
 */
const MYSQL_CLIENT_WORD = /^(?:-u\S*|-P\d+|--(?:user|host|port|database|execute|socket)(?:=.*)?)$/s;

/** A MySQL client's name, put in the unnamed program's place for a second reading. */
const MYSQL_CLIENT = 'mysql';

/**
 * An array's members as words: a number, boolean or null as JSON writes it (`["mysql", 3306,
 * "-p…"]`: until 7 December an array holding anything but strings was read element by element, and
 * `-p…` there was no option), a nested object or array as a word no reader takes for an option.
 */
export function argvWords(list: readonly unknown[]): string[] {
  return list.map((v) =>
    typeof v === 'string'
      ? v
      : typeof v === 'number' || typeof v === 'boolean' || v === null
        ? String(v)
        : NOT_A_WORD,
  );
}

/** Stands for a nested object or array among a command's words. */
const NOT_A_WORD = '_';

/** Words a shell reads as they are: anything else is quoted so it stays one word. */
const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./~^-]+$/;
/** `NAME=` kept outside the quotes, as a shell user writes an assignment (`API_TOKEN='a b'`). */
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]{0,127}=/;
/** Shells whose `-c` takes a command line (`sh -c`, `bash -lc`, `su postgres -c`). */
const SHELLS = /^(?:sh|bash|zsh|dash|ksh|mksh|ash|fish|su)$/;
/** A short option cluster that holds `c` (`-c`, `-lc`, `-ec`, `-xec`). */
const SHELL_C = /^-[a-z]*c[a-z]*$/;
/** A URL's password, between the user and the last `@` of its authority (`postgresql://u:…@h/db`). */
const URL_USERINFO = /^[A-Za-z][A-Za-z0-9+.-]{0,31}:\/\/[^/?#@:\s]*:/;

interface Placed {
  /** Where the word's spelling begins in the joined line. */
  readonly at: number;
  /** Per character of the spelling, its offset in the element, or -1 for a quote added. */
  readonly element: Int32Array;
}

/** Joins the words into one line, each spelled so the shell readers see exactly the element. */
function joinWords(words: readonly string[]): { line: string; placed: Placed[] } {
  let line = '';
  const placed: Placed[] = [];
  for (const word of words) {
    if (line.length > 0) line += ' ';
    const at = line.length;
    const map: number[] = [];
    const raw = (from: number, to: number) => {
      line += word.slice(from, to);
      for (let k = from; k < to; k++) map.push(k);
    };
    const quoted = (from: number, to: number, q: string) => {
      line += q;
      map.push(-1);
      raw(from, to);
      line += q;
      map.push(-1);
    };
    if (PLAIN_WORD.test(word)) raw(0, word.length);
    else {
      const head = ASSIGNMENT.exec(word)?.[0].length ?? 0;
      raw(0, head);
      if (head === word.length) quoted(head, head, "'");
      // Runs without a single quote inside '…', each single quote inside "…".
      for (let k = head; k < word.length; ) {
        let e = k;
        if (word[k] === "'") {
          while (e < word.length && word[e] === "'") e++;
          quoted(k, e, '"');
        } else {
          while (e < word.length && word[e] !== "'") e++;
          quoted(k, e, "'");
        }
        k = e;
      }
    }
    placed.push({ at, element: Int32Array.from(map) });
  }
  return { line, placed };
}

export interface ArgvSecrets {
  /** Per element, the spans (element offsets) of its secrets, sorted and disjoint. */
  readonly spans: ShellSecretSpan[][];
  /** Per element, whether a shell runs it as a command line (the string after `sh -c`). */
  readonly code: boolean[];
}

/**
 * The secrets the shell readers find when the words are one command: options and their values,
 * assignments, URL passwords, and a shell's `-c` line.
 */
export function argvSecrets(words: readonly string[], secretName: SecretNameMatcher): ArgvSecrets {
  const found = argvReading(words, secretName);
  if (words[0] !== UNNAMED_PROGRAM || !words.some((w) => MYSQL_CLIENT_WORD.test(w))) return found;
  const asMysql = argvReading([MYSQL_CLIENT, ...words.slice(1)], secretName);
  return { spans: found.spans.map((s, k) => merged([...s, ...asMysql.spans[k]!])), code: found.code };
}

/** One reading of the words as a command after their first. */
function argvReading(words: readonly string[], secretName: SecretNameMatcher): ArgvSecrets {
  const out: ShellSecretSpan[][] = words.map(() => []);
  // The line a shell runs (`sh -c '…'`) is read as the shell reads it, each mask ended before code;
  // read as one word, `PGPASSWORD=a b psql` would be masked to its end, `psql` with it.
  const code = words.map(() => false);
  let shell = false;
  for (let k = 0; k < words.length; k++) {
    const word = words[k]!;
    if (shell && SHELL_C.test(words[k - 1]!)) {
      code[k] = true;
      out[k]!.push(...commandLineSecrets(word, secretName));
    } else {
      const url = urlPassword(word);
      if (url !== null) out[k]!.push(url);
    }
    if (SHELLS.test(word.replace(/^.*\//, ''))) shell = true;
  }
  const { line, placed } = joinWords(words);
  for (const s of shellSecretSpans(line, secretName)) {
    // The first word whose spelling ends after the span's start, then each the span reaches.
    let lo = 0;
    let hi = placed.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const p = placed[mid]!;
      if (p.at + p.element.length <= s.start) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo; k < placed.length && placed[k]!.at < s.end; k++) {
      if (code[k]) continue;
      const span = onElement(placed[k]!, s.start - placed[k]!.at, s.end - placed[k]!.at);
      if (span !== null) out[k]!.push({ ...span, name: s.name });
    }
  }
  return { spans: out.map(merged), code };
}

/** The element's characters inside the line span [from, to) of its spelling, or null. */
function onElement(p: Placed, from: number, to: number): { start: number; end: number } | null {
  let start = -1;
  let end = -1;
  for (let i = Math.max(0, from); i < Math.min(to, p.element.length); i++) {
    const e = p.element[i]!;
    if (e < 0) continue;
    if (start < 0) start = e;
    end = e + 1;
  }
  return start < 0 ? null : { start, end };
}

/**
 * A URL's password in one word: spaces included, since the element is one word whatever it holds
 * (the connection-string rule stops at a space, as it must in prose).
 */
function urlPassword(word: string): ShellSecretSpan | null {
  const head = URL_USERINFO.exec(word);
  if (head === null) return null;
  const from = head[0].length;
  let authorityEnd = word.length;
  for (let i = from; i < word.length; i++) {
    const c = word[i]!;
    if (c === '/' || c === '?' || c === '#') {
      authorityEnd = i;
      break;
    }
  }
  const at = word.lastIndexOf('@', authorityEnd - 1);
  return at > from ? { start: from, end: at, name: 'url password' } : null;
}

/** Sorted, overlapping spans joined. */
function merged(spans: ShellSecretSpan[]): ShellSecretSpan[] {
  if (spans.length < 2) return spans;
  spans.sort((a, b) => a.start - b.start);
  const out: ShellSecretSpan[] = [spans[0]!];
  for (const s of spans.slice(1)) {
    const last = out[out.length - 1]!;
    if (s.start < last.end) out[out.length - 1] = { ...last, end: Math.max(last.end, s.end) };
    else out.push(s);
  }
  return out;
}
