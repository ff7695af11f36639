// Secrets on a shell line that no option names: a password given as a positional word
// (`htpasswd -b FILE user …`, `rabbitmqctl add_user u …`, `mysqladmin password …`, `redis-cli AUTH
// …`, `vault login …`), glued to a user name (`smbclient -U user%…`), or fed to a command's
// standard input by the command before it (`echo … | docker login --password-stdin`, `printf '%s' …
// | …`, `… <<< …`, `echo 'u:…' | chpasswd`, `echo … | sudo -S …`). shell-line.ts reads options and
// variables; this file reads commands word by word, a segment (between `;`, `|`, `&`) at a time.
// A here-document's body, on the lines after, is shell-heredoc.ts's (it asks stdinReadersAt).
import type { ShellSecretSpan } from './shell-line.js';

export interface ShellWord {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** Offset in `line` of character `n` of a word's text (the text has its quotes removed). */
export function offsetInWord(line: string, w: ShellWord, n: number): number {
  let i = w.start;
  let count = 0;
  let quote = '';
  while (i < w.end) {
    const ch = line[i]!;
    if (quote === '' && (ch === '"' || ch === "'")) {
      quote = ch;
      i++;
      continue;
    }
    if (quote !== '' && ch === quote) {
      quote = '';
      i++;
      continue;
    }
    if (count === n) return i;
    count++;
    i++;
  }
  return i;
}

/** The span of a word's text from character `from` on, quotes excluded. */
function spanOf(line: string, w: ShellWord, from: number, name: string): ShellSecretSpan | null {
  if (from >= w.text.length) return null;
  // A variable or command substitution names where the secret is kept, not the secret.
  if (w.text[from] === '$' || w.text.startsWith('-', from)) return null;
  const start = offsetInWord(line, w, from);
  let end = offsetInWord(line, w, w.text.length - 1) + 1;
  if (end < start) end = start;
  return end > start ? { start, end, name } : null;
}

interface Segment {
  readonly words: readonly ShellWord[];
  /** The separator before it: `|` when the segment reads the previous one's output. */
  readonly after: string;
}

const SEPARATORS = new Set([';', '|', '&']);
const WRAPPERS = new Set(['sudo', 'exec', 'time', 'nohup', 'env', 'command', 'true']);

function segments(ws: readonly ShellWord[]): Segment[] {
  const out: Segment[] = [];
  let current: ShellWord[] = [];
  let after = '';
  let previous = '';
  for (const w of ws) {
    if (SEPARATORS.has(w.text)) {
      if (current.length > 0) out.push({ words: current, after });
      // `||` and `&&` arrive as two words: the second one decides nothing.
      if (current.length > 0 || previous === '') after = w.text;
      if (current.length === 0 && previous === '|' && w.text === '|') after = '||';
      current = [];
      previous = w.text;
      continue;
    }
    previous = '';
    current.push(w);
  }
  if (current.length > 0) out.push({ words: current, after });
  return out;
}

/** A redirection word (`>`, `2>&1`, `>>file`): it and, when bare, its target are not arguments. */
const REDIRECT = /^[0-9]*(?:>>?|<(?!<<)|>&|<&)/;

/** The arguments of a command: words after its name, redirections and `<<< …` removed. */
function argumentsOf(words: readonly ShellWord[]): { name: string; args: ShellWord[] } {
  let k = 0;
  // Skip wrappers and leading NAME=value assignments: `sudo -u x`, `env A=b cmd`.
  while (k < words.length) {
    const t = words[k]!.text;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(t)) k++;
    else if (WRAPPERS.has(t.replace(/^.*\//, ''))) {
      k++;
      while (k < words.length && words[k]!.text.startsWith('-')) k++;
    } else break;
  }
  const name = (words[k]?.text ?? '').replace(/^.*\//, '');
  const args: ShellWord[] = [];
  for (let q = k + 1; q < words.length; q++) {
    const t = words[q]!.text;
    if (t.startsWith('<<<')) {
      if (t === '<<<') q++;
      continue;
    }
    // A here-document's `<<` or `<<-` alone takes the next word, its terminator (shell-heredoc.ts).
    if (t === '<<' || t === '<<-') {
      q++;
      continue;
    }
    const r = REDIRECT.exec(t);
    if (r) {
      if (t.length === r[0].length) q++;
      continue;
    }
    args.push(words[q]!);
  }
  return { name, args };
}

const positional = (args: readonly ShellWord[]) =>
  args.filter((a) => !a.text.startsWith('-') || a.text === '-');

export function positionalSpans(line: string, ws: readonly ShellWord[]): ShellSecretSpan[] {
  const out: ShellSecretSpan[] = [];
  const push = (s: ShellSecretSpan | null) => {
    if (s) out.push(s);
  };
  const segs = segments(ws);
  for (let s = 0; s < segs.length; s++) {
    const seg = segs[s]!;
    const { name, args } = argumentsOf(seg.words);
    const pos = positional(args);
    switch (name) {
      case 'htpasswd':
        // -b takes the password from the command line, as the last argument (-b, -bc, -nb, -bBC).
        if (args.some((a) => /^-[A-Za-z]*b/.test(a.text)) && pos.length >= 2)
          push(spanOf(line, pos[pos.length - 1]!, 0, 'htpasswd -b'));
        break;
      case 'rabbitmqctl':
        // add_user NAME PASSWORD, change_password NAME PASSWORD, authenticate_user NAME PASSWORD.
        if (/^(?:add_user|change_password|authenticate_user)$/.test(pos[0]?.text ?? '') && pos[2])
          push(spanOf(line, pos[2], 0, `rabbitmqctl ${pos[0]!.text}`));
        break;
      case 'mysqladmin':
        // mysqladmin … password NEW (old-password NEW too).
        for (let q = 0; q + 1 < pos.length; q++)
          if (pos[q]!.text === 'password' || pos[q]!.text === 'old-password')
            push(spanOf(line, pos[q + 1]!, 0, `mysqladmin ${pos[q]!.text}`));
        break;
      case 'redis-cli':
      case 'valkey-cli':
        // redis-cli AUTH [user] PASSWORD: the last word of the command.
        for (let q = 0; q + 1 < pos.length; q++)
          if (pos[q]!.text.toLowerCase() === 'auth') {
            push(spanOf(line, pos[pos.length - 1]!, 0, 'redis AUTH'));
            break;
          }
        break;
      case 'vault':
      case 'bao':
        // vault login TOKEN (with the token method, the default); other methods take NAME=value,
        // which shell-line.ts reads.
        if (pos[0]?.text === 'login' && pos[1] && !pos[1].text.includes('=') && pos[1].text !== '-')
          push(spanOf(line, pos[1], 0, 'vault login'));
        break;
      case 'smbclient':
      case 'rpcclient':
      case 'smbmap':
      case 'net':
        // -U user%password, --user=user%password.
        for (let q = 0; q < args.length; q++) {
          const t = args[q]!.text;
          const value = t === '-U' || t === '--user' ? args[q + 1] : undefined;
          const glued = /^(?:-U|--user=)/.exec(t);
          const w = value ?? (glued ? args[q]! : undefined);
          const from = value ? 0 : (glued?.[0].length ?? 0);
          const pct = w ? w.text.indexOf('%', from) : -1;
          if (w && pct >= 0) push(spanOf(line, w, pct + 1, `${name} -U`));
        }
        break;
      case 'lftp':
        // lftp -u user,password host
        for (let q = 0; q + 1 < args.length; q++) {
          const v = args[q + 1]!;
          if (args[q]!.text === '-u' && v.text.includes(','))
            push(spanOf(line, v, v.text.indexOf(',') + 1, 'lftp -u'));
        }
        break;
      case 'gh':
        // gh secret set NAME --body VALUE | -b VALUE | --body=VALUE.
        if (pos[0]?.text === 'secret' && pos[1]?.text === 'set')
          for (let q = 0; q < args.length; q++) {
            const t = args[q]!.text;
            if ((t === '--body' || t === '-b') && args[q + 1])
              push(spanOf(line, args[q + 1]!, 0, 'gh --body'));
            else if (t.startsWith('--body=')) push(spanOf(line, args[q]!, 7, 'gh --body'));
            else if (/^-b./.test(t)) push(spanOf(line, args[q]!, 2, 'gh -b'));
          }
        break;
    }
    const reader = stdinSecretReader(seg.words, name, args);
    if (reader === null) continue;
    // `… <<< VALUE` in the reader's own segment.
    const split = reader.startsWith('ch');
    for (const v of hereStrings(seg.words, split)) push(spanOf(line, v.word, v.from, `${reader} <<<`));
    const before = s > 0 && seg.after === '|' ? segs[s - 1] : undefined;
    if (before)
      for (const v of producedWords(before.words, split)) push(spanOf(line, v.word, v.from, `| ${reader}`));
  }
  return out;
}

/**
 * For each redirection at an offset in `ats` (ascending), the command that reads a secret from what
 * it feeds: the command the redirection belongs to, or one its output is piped into (`cat <<EOF |
 * docker login --password-stdin`), as shell-heredoc.ts asks of a here-document; null when none
 * does. One pass over the words, however many redirections a line holds.
 */
export function stdinReadersAt(ws: readonly ShellWord[], ats: readonly number[]): (string | null)[] {
  const segs = segments(ws);
  const feeds: (string | null)[] = new Array<string | null>(segs.length).fill(null);
  for (let s = segs.length - 1; s >= 0; s--) {
    const { name, args } = argumentsOf(segs[s]!.words);
    const piped = s + 1 < segs.length && segs[s + 1]!.after === '|' ? feeds[s + 1]! : null;
    feeds[s] = stdinSecretReader(segs[s]!.words, name, args) ?? piped;
  }
  let s = 0;
  return ats.map((at) => {
    while (s < segs.length && at >= segs[s]!.words[segs[s]!.words.length - 1]!.end) s++;
    return s < segs.length && at >= segs[s]!.words[0]!.start ? feeds[s]! : null;
  });
}

/** Options that make a command read a password, token or pass phrase from its standard input. */
const STDIN_OPTION = /^--?(?:[a-z]+-)*(?:password|passwd|pass|passphrase|token|secret)-stdin$/;

/** The name of a command that reads a secret from standard input, or null. */
function stdinSecretReader(
  words: readonly ShellWord[],
  name: string,
  args: readonly ShellWord[],
): string | null {
  for (const a of args) if (STDIN_OPTION.test(a.text)) return `${name} ${a.text}`;
  if (name === 'chpasswd' || name === 'chgpasswd') return name;
  // `gh auth login --with-token`, `docker secret create NAME -` (the secret's value from stdin).
  if (name === 'gh' && args.some((a) => a.text === '--with-token')) return 'gh --with-token';
  if (
    (name === 'docker' || name === 'podman') &&
    args[0]?.text === 'secret' &&
    args[1]?.text === 'create' &&
    args[args.length - 1]?.text === '-'
  )
    return `${name} secret create`;
  if (name === 'passwd' && args.some((a) => a.text === '--stdin')) return 'passwd --stdin';
  if (name === 'vault' && args[0]?.text === 'login' && args.some((a) => a.text === '-'))
    return 'vault login -';
  if (name === 'gpg' && args.some((a, i) => a.text === '--passphrase-fd' && args[i + 1]?.text === '0'))
    return 'gpg --passphrase-fd 0';
  // `sudo -S` (also in a cluster: -kS) reads the user's password from standard input.
  for (let i = 0; i < words.length; i++) {
    if (words[i]!.text.replace(/^.*\//, '') !== 'sudo') continue;
    for (let q = i + 1; q < words.length && words[q]!.text.startsWith('-'); q++)
      if (/^-[A-Za-z]*S/.test(words[q]!.text) || words[q]!.text === '--stdin') return 'sudo -S';
  }
  return null;
}

interface Produced {
  readonly word: ShellWord;
  /** Where the secret begins in the word's text (after `user:` for chpasswd's `user:password`). */
  readonly from: number;
}

/** The words a command writes to its output as data: echo's and printf's arguments, `cat <<< …`. */
function producedWords(words: readonly ShellWord[], split: boolean): Produced[] {
  const { name, args } = argumentsOf(words);
  const out: Produced[] = [];
  if (name === 'echo') {
    let q = 0;
    while (q < args.length && /^-[neE]+$/.test(args[q]!.text)) q++;
    for (; q < args.length; q++) out.push(produced(args[q]!, split));
  } else if (name === 'printf') {
    let q = 0;
    if (args[q]?.text === '-v') q += 2;
    if (args[q]?.text === '--') q++;
    const format = args[q];
    const rest = args.slice(q + 1);
    if (rest.length > 0) for (const a of rest) out.push(produced(a, split));
    else if (format && !format.text.includes('%')) out.push(produced(format, split));
  } else out.push(...hereStrings(words, split));
  return out;
}

/** `user:password` (chpasswd's input, when `split`) yields its password; other words whole. */
function produced(word: ShellWord, split: boolean): Produced {
  const colon = split ? /^[A-Za-z0-9_.-]{1,64}:/.exec(word.text) : null;
  return { word, from: colon && colon[0].length < word.text.length ? colon[0].length : 0 };
}

/** The word of each `<<< WORD` (or `<<<WORD`). */
function hereStrings(words: readonly ShellWord[], split: boolean): Produced[] {
  const out: Produced[] = [];
  for (let q = 0; q < words.length; q++) {
    const t = words[q]!.text;
    if (t === '<<<' && words[q + 1]) out.push(produced(words[q + 1]!, split));
    else if (t.startsWith('<<<') && t.length > 3) {
      const p = produced({ ...words[q]!, text: t.slice(3) }, split);
      out.push({ word: words[q]!, from: p.from + 3 });
    }
  }
  return out;
}
