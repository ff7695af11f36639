// Secrets on a shell command line (an SSH session's input, a recorded exec): the value of
// --password=… and --password …, of any --<secret-name>=…, mysql's -p…, sshpass -p …, curl -u
// user:…, and of NAME=… assignments whose name says secret (PGPASSWORD=…, export
// AWS_SECRET_ACCESS_KEY=…). Returns spans; the masker renders them and runs the text rules on the
// rest. Reusable by any module that sees shell lines.

import { fieldSecret } from './embedded-fields.js';
import type { SecretNameMatcher } from './secret-names.js';
import { type HereDocumentOperator, hereDocumentOperators, hereDocumentSpans } from './shell-heredoc.js';
import { offsetInWord, positionalSpans, stdinReadersAt } from './shell-positional.js';
import { wordFieldSpans } from './shell-word-fields.js';
import { addDisjoint } from './span-overlap.js';
import { mayHoldXml, xmlFieldSpans } from './xml-fields.js';

export interface ShellSecretSpan {
  readonly start: number;
  readonly end: number;
  /** Why: the option or variable name. */
  readonly name: string;
}

/**
 * Short options other tools take a password or key with, as the next word (`redis-cli -a …`,
 * `docker login -p …`, `sqlcmd -P …`, `ldapsearch -w …`, `ssh-keygen -N …`). `login` marks the
 * registry tools whose `-p` means a password only after that word (`docker run -p 80:80` is a port).
 */
const TOOL_PASSWORD_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  'redis-cli': ['-a'],
  'valkey-cli': ['-a'],
  mongo: ['-p'],
  mongosh: ['-p'],
  mongodump: ['-p'],
  mongorestore: ['-p'],
  mongoexport: ['-p'],
  mongoimport: ['-p'],
  sqlcmd: ['-P'],
  bcp: ['-P'],
  ldapsearch: ['-w'],
  ldapadd: ['-w'],
  ldapmodify: ['-w'],
  ldapdelete: ['-w'],
  ldappasswd: ['-w', '-s'],
  ldapwhoami: ['-w'],
  'ssh-keygen': ['-N', '-P'],
  az: ['login', '-p'],
  zip: ['-P'],
  unzip: ['-P'],
  keytool: ['-storepass', '-keypass', '-srcstorepass', '-deststorepass', '-srckeypass', '-destkeypass'],
  jarsigner: ['-storepass', '-keypass'],
  // The password's crypt(3) hash, guessed offline.
  useradd: ['-p'],
  usermod: ['-p'],
  docker: ['login', '-p'],
  podman: ['login', '-p'],
  buildah: ['login', '-p'],
  skopeo: ['login', '-p'],
  nerdctl: ['login', '-p'],
  helm: ['login', '-p'],
  oras: ['login', '-p'],
};

/** openssl's pass phrase arguments: `-passin pass:…` (env:, file:, fd: name where it is kept). */
const OPENSSL_PASS = /^-(?:passin|passout|pass|kfile|k)$/;

/**
 * A `.netrc` entry (`machine host login user password …`, or `password …` on a line of its own, as
 * a heredoc writes it), anywhere in the line: typed, echoed or printf'd into the file.
 */
const NETRC_PASSWORD =
  /(?:\bmachine[ \t]{1,16}\S{1,256}|\bdefault)(?:[ \t]{1,16}(?:login|account)[ \t]{1,16}\S{1,256}){0,2}[ \t]{1,16}password[ \t]{1,16}([^\s'"\\]{1,1024})/g;
const NETRC_LINE = /^[ \t]{0,64}password[ \t]{1,16}([^\s'"\\]{1,1024})[ \t]*$/gm;

/**
 * A `.pgpass` line (`host:port:database:user:password`) on a line that names the file: echoed,
 * printf'd or written by a heredoc into it. Only with the file named: `a:b:c:d:e` is otherwise a
 * time, an IPv6 address or a path list.
 */
const PGPASS_LINE =
  /(?:^|(?<=[\s'"]))[^\s:'"]{1,256}:(?:[0-9]{1,5}|\*):[^\s:'"]{1,256}:[^\s:'"]{1,256}:([^\s'"\\]{1,1024})/gm;

/** Commands whose -p takes the password glued to it (-psecret). */
const GLUED_P =
  /^(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlshow|mysqlcheck|mysqlslap|mariadb(?:-\w+)?|7z|7za|7zr|7zz)$/;

interface Word {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** Splits a line into words, keeping quoted parts inside their word; offsets exclude the quotes. */
function words(line: string): Word[] {
  const out: Word[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && /\s/.test(line[i]!)) i++;
    if (i >= n) break;
    const start = i;
    let text = '';
    while (i < n && !/\s/.test(line[i]!)) {
      const ch = line[i]!;
      if (ch === '"' || ch === "'") {
        const close = line.indexOf(ch, i + 1);
        const end = close < 0 ? n : close;
        text += line.slice(i + 1, end);
        i = close < 0 ? n : close + 1;
      } else if (ch === ';' || ch === '|' || ch === '&') {
        if (i === start) {
          i++;
          text = ch;
        }
        break;
      } else {
        text += ch;
        i++;
      }
    }
    out.push({ text, start, end: i });
  }
  return out;
}

/**
 * The span of a word's value after the first `prefix` characters of its text. The text has its
 * quotes removed, so `'password=…'` (a quoted NAME=value) is counted through them: until 6 December
 * the offset was taken in the text, and the `=` was masked with the value (a wrong fingerprint).
 */
function valueAfter(line: string, w: Word, prefix: number): { start: number; end: number } | null {
  if (prefix >= w.text.length) return null;
  return valueSpan(line, offsetInWord(line, w, prefix), w.end);
}

/** The span of a value inside a word, without surrounding quotes. */
function valueSpan(line: string, from: number, end: number): { start: number; end: number } | null {
  let s = from;
  let e = end;
  if (line[s] === '"' || line[s] === "'") s++;
  if (e > s && (line[e - 1] === '"' || line[e - 1] === "'")) e--;
  return e > s ? { start: s, end: e } : null;
}

export interface OpenedHereDocument extends HereDocumentOperator {
  /** The command that reads a secret from the body (`docker login --password-stdin`), or null. */
  readonly reader: string | null;
}

/**
 * The here-documents a shell line opens, in the order the shell reads their bodies, each with the
 * command that reads a password from it: for a terminal, whose body lines are typed one by one.
 */
export function hereDocumentsOpened(line: string): OpenedHereDocument[] {
  const ops = hereDocumentOperators(line);
  if (ops.length === 0) return [];
  const readers = stdinReadersAt(
    words(line),
    ops.map((op) => op.at),
  );
  return ops.map((op, k) => ({ ...op, reader: readers[k]! }));
}

export function shellSecretSpans(line: string, secretName: SecretNameMatcher): ShellSecretSpan[] {
  const ws = words(line);
  // The body lines of a here-document a password reader reads (`docker login --password-stdin
  // <<EOF`) first, whole: a span another reader finds inside a body line would otherwise push the
  // line's span out and leave the rest of the line as typed.
  const spans = hereDocumentSpans(line, words);
  addDisjoint(spans, wordSpans(line, secretName));
  addDisjoint(spans, positionalSpans(line, ws));
  addDisjoint(spans, wordFieldSpans(line, ws, secretName));
  const patterns = line.includes('.pgpass')
    ? [NETRC_PASSWORD, NETRC_LINE, PGPASS_LINE]
    : [NETRC_PASSWORD, NETRC_LINE];
  for (const re of patterns) {
    for (const m of line.matchAll(re)) {
      const end = m.index + m[0].length;
      const start = end - m[1]!.length;
      if (!spans.some((s) => start < s.end && end > s.start))
        spans.push({ start, end, name: re === PGPASS_LINE ? 'pgpass password' : 'netrc password' });
    }
  }
  // XML a command prints or writes (`cat web.config`, `echo '<password>…</password>' > f`).
  if (mayHoldXml(line))
    addDisjoint(
      spans,
      xmlFieldSpans(line, secretName, fieldSecret).map((x) => ({ ...x, name: `xml ${x.name}` })),
    );
  return spans.sort((a, b) => a.start - b.start);
}

function wordSpans(line: string, secretName: SecretNameMatcher): ShellSecretSpan[] {
  const spans: ShellSecretSpan[] = [];
  const ws = words(line);
  let command = '';
  let commandStart = true;
  // Tools named anywhere in the command so far: `true mysql -p…`, `docker exec db mysql -p…` and
  // `kubectl exec pod -- curl -u …` pass the password to the tool, not to the first word.
  let tools = new Set<string>();
  for (let k = 0; k < ws.length; k++) {
    const w = ws[k]!;
    if (w.text === ';' || w.text === '|' || w.text === '&' || w.text === '&&' || w.text === '||') {
      commandStart = true;
      command = '';
      tools = new Set();
      continue;
    }
    if (!w.text.startsWith('-')) {
      const base = w.text.replace(/^.*\//, '');
      if (GLUED_P.test(base)) tools.add('mysql');
      else if (base === 'sshpass' || base === 'curl' || base === 'wget' || base === 'openssl')
        tools.add(base);
      else if (Object.hasOwn(TOOL_PASSWORD_OPTIONS, base)) tools.add(base);
      else if (base === 'login' || base === 'config' || base === 'configure') tools.add(base);
    }
    // NAME=value before a command, after export/env/set/declare, or as an argument (`docker run -e
    // API_TOKEN=…`, `heroku config:set API_KEY=…`): a secret-named variable's value wherever set.
    const assign = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(w.text);
    if (assign) {
      if (secretName(assign[1]!)) {
        const span = valueAfter(line, w, assign[0].length);
        if (span) spans.push({ ...span, name: assign[1]! });
      }
      if (commandStart || command === 'export' || command === 'env' || command === 'set') continue;
    }
    // A header given to curl, wget or httpie (`-H 'X-Api-Key: …'`, `--header=Cookie: …`): the value
    // of a secret-named header whole (an Authorization of any scheme, a Cookie, a Proxy-Authorization).
    if ((w.text === '-H' || w.text === '--header') && ws[k + 1]) {
      headerSpan(line, ws[k + 1]!, secretName, spans);
      k++;
      continue;
    }
    if (w.text.startsWith('--header=')) {
      const prefix = '--header='.length;
      headerSpan(
        line,
        { text: w.text.slice(prefix), start: w.start + prefix, end: w.end },
        secretName,
        spans,
      );
      continue;
    }
    if (tools.has('curl') && (w.text === '-b' || w.text === '--cookie') && ws[k + 1]) {
      const v = ws[k + 1]!;
      // A cookie string (`name=value; …`), not a file to read them from.
      if (v.text.includes('=')) {
        const span = valueSpan(line, v.start, v.end);
        if (span) spans.push({ ...span, name: `curl ${w.text}` });
      }
      k++;
      continue;
    }
    if (commandStart) {
      if (w.text === 'sudo' || w.text === 'exec' || w.text === 'time' || w.text === 'nohup') continue;
      command = w.text.replace(/^.*\//, '');
      commandStart = false;
      continue;
    }
    // --name=value and --name value (a flag before a redirection, `--with-token <<EOF`, takes none)
    const long = /^--?([A-Za-z][A-Za-z0-9_-]*)(=?)/.exec(w.text);
    if (long && w.text.startsWith('--') && secretName(long[1]!)) {
      if (long[2] === '=') {
        const span = valueAfter(line, w, long[0].length);
        if (span) spans.push({ ...span, name: `--${long[1]}` });
      } else if (ws[k + 1] && !ws[k + 1]!.text.startsWith('-') && !isRedirection(line, ws[k + 1]!)) {
        const v = ws[k + 1]!;
        const span = valueSpan(line, v.start, v.end);
        if (span) spans.push({ ...span, name: `--${long[1]}` });
        k++;
      }
      continue;
    }
    if (tools.has('mysql') && /^-p.+/.test(w.text)) {
      const span = valueAfter(line, w, 2);
      if (span) spans.push({ ...span, name: '-p' });
      continue;
    }
    // -password …, -passphrase=… (single-dash long options of Java and Go tools).
    const single = /^-([a-z][a-z_-]{4,63})(?:(=)|$)/.exec(w.text);
    if (single && !w.text.startsWith('--') && secretName(single[1]!)) {
      if (single[2] === '=') {
        const span = valueAfter(line, w, single[0].length);
        if (span) spans.push({ ...span, name: `-${single[1]}` });
      } else if (ws[k + 1] && !ws[k + 1]!.text.startsWith('-') && !isRedirection(line, ws[k + 1]!)) {
        const v = ws[k + 1]!;
        const span = valueSpan(line, v.start, v.end);
        if (span) spans.push({ ...span, name: `-${single[1]}` });
        k++;
      }
      continue;
    }
    if (tools.has('sshpass') && /^-p.+/.test(w.text)) {
      const span = valueAfter(line, w, 2);
      if (span) spans.push({ ...span, name: 'sshpass -p' });
      continue;
    }
    if (tools.has('sshpass') && w.text === '-p' && ws[k + 1]) {
      const v = ws[k + 1]!;
      const span = valueSpan(line, v.start, v.end);
      if (span) spans.push({ ...span, name: 'sshpass -p' });
      k++;
      continue;
    }
    if (tools.has('curl') || tools.has('wget')) {
      // -u user:pass, --user user:pass, --proxy-user, -U (curl's proxy user), and their glued
      // spellings -uuser:pass, --user=user:pass.
      const user = /^(?:-u|--user|-U|--proxy-user)$/.test(w.text) ? ws[k + 1] : undefined;
      const glued = user ? null : /^(?:-[uU](?=[^-])|--user=|--proxy-user=)/.exec(w.text);
      if (user || glued) {
        const from = user ? user.start : w.start + glued![0].length;
        const to = user ? user.end : w.end;
        const colon = line.indexOf(':', from);
        if (colon >= 0 && colon < to) {
          const span = valueSpan(line, colon + 1, to);
          if (span) spans.push({ ...span, name: `curl ${user ? w.text : glued![0]}` });
        }
        if (user) k++;
        continue;
      }
    }
    if (tools.has('openssl') && OPENSSL_PASS.test(w.text) && ws[k + 1]) {
      const v = ws[k + 1]!;
      const from = v.text.startsWith('pass:') ? line.indexOf('pass:', v.start) + 'pass:'.length : v.start;
      if (w.text === '-k' || v.text.startsWith('pass:')) {
        const span = valueSpan(line, from, v.end);
        if (span) spans.push({ ...span, name: `openssl ${w.text}` });
      }
      k++;
      continue;
    }
    const toolOption = passwordOptionOf(tools, w.text);
    if (toolOption !== null && ws[k + 1]) {
      const v = ws[k + 1]!;
      const span = valueSpan(line, v.start, v.end);
      if (span) spans.push({ ...span, name: toolOption });
      k++;
      continue;
    }
    // `aws configure set aws_secret_access_key …`, `npm config set //host/:_authToken …`,
    // `git config credential.token …`: a secret-named setting's value.
    if ((tools.has('config') || tools.has('configure')) && w.text === 'set' && ws[k + 1] && ws[k + 2]) {
      const name = ws[k + 1]!.text;
      if (secretName(name.replace(/^.*[/:]/, '')) || secretName(name)) {
        const v = ws[k + 2]!;
        const span = valueSpan(line, v.start, v.end);
        if (span) spans.push({ ...span, name });
      }
      k += 2;
    }
  }
  return spans;
}

/** A word that is a redirection as written (`<<EOF`, `>out`): no option's value (a quoted `'<x'` is). */
function isRedirection(line: string, w: Word): boolean {
  return line[w.start] === '<' || line[w.start] === '>';
}

/** The tool option that takes a password here (`docker … login -p`), or null. */
function passwordOptionOf(tools: ReadonlySet<string>, option: string): string | null {
  for (const tool of tools) {
    const options = TOOL_PASSWORD_OPTIONS[tool];
    if (options === undefined || option === 'login' || !options.includes(option)) continue;
    if (options[0] === 'login' && !tools.has('login')) continue;
    return `${tool} ${option}`;
  }
  return null;
}

/** `Name: value` of a header option's word: the value when the name is secret. */
function headerSpan(line: string, w: Word, secretName: SecretNameMatcher, spans: ShellSecretSpan[]): void {
  const m = /^([A-Za-z][A-Za-z0-9_-]*)[ \t]*:[ \t]*/.exec(w.text);
  if (!m || !secretName(m[1]!)) return;
  // Offsets of the header's value inside the word, quotes skipped as words() skips them.
  let at = w.start;
  if (line[at] === '"' || line[at] === "'") at++;
  const colon = line.indexOf(':', at);
  if (colon < 0 || colon >= w.end) return;
  let from = colon + 1;
  while (from < w.end && (line[from] === ' ' || line[from] === '\t')) from++;
  // The scheme stays readable: `Authorization: Bearer [MASKED:…]`.
  const scheme = /^(?:Bearer|Basic|Token|Bot|Digest|ApiKey)[ \t]+/i.exec(line.slice(from, w.end));
  if (scheme) from += scheme[0].length;
  const span = valueSpan(line, from, w.end);
  if (span) spans.push({ ...span, name: `header ${m[1]}` });
}
