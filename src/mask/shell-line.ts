// Secrets on a shell command line (an SSH session's input, a recorded exec): the value of
// --password=… and --password …, of any --<secret-name>=…, mysql's -p…, sshpass -p …, curl -u
// user:…, and of NAME=… assignments whose name says secret (PGPASSWORD=…, export
// AWS_SECRET_ACCESS_KEY=…). Returns spans; the masker renders them and runs the text rules on the
// rest. Reusable by any module that sees shell lines.
import type { SecretNameMatcher } from './secret-names.js';

export interface ShellSecretSpan {
  readonly start: number;
  readonly end: number;
  /** Why: the option or variable name. */
  readonly name: string;
}

/** Commands whose -p takes the password glued to it (-psecret). */
const GLUED_P =
  /^(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlshow|mysqlcheck|mysqlslap|mariadb(?:-\w+)?)$/;

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

/** The span of a value inside a word, without surrounding quotes. */
function valueSpan(line: string, from: number, end: number): { start: number; end: number } | null {
  let s = from;
  let e = end;
  if (line[s] === '"' || line[s] === "'") s++;
  if (e > s && (line[e - 1] === '"' || line[e - 1] === "'")) e--;
  return e > s ? { start: s, end: e } : null;
}

export function shellSecretSpans(line: string, secretName: SecretNameMatcher): ShellSecretSpan[] {
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
      else if (base === 'sshpass' || base === 'curl' || base === 'wget') tools.add(base);
    }
    // NAME=value before a command, after export/env/set, or alone.
    const assign = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(w.text);
    if (assign && (commandStart || command === 'export' || command === 'env' || command === 'set')) {
      if (secretName(assign[1]!)) {
        const span = valueSpan(line, w.start + assign[0].length, w.end);
        if (span) spans.push({ ...span, name: assign[1]! });
      }
      continue;
    }
    if (commandStart) {
      if (w.text === 'sudo' || w.text === 'exec' || w.text === 'time' || w.text === 'nohup') continue;
      command = w.text.replace(/^.*\//, '');
      commandStart = false;
      continue;
    }
    // --name=value and --name value
    const long = /^--?([A-Za-z][A-Za-z0-9_-]*)(=?)/.exec(w.text);
    if (long && w.text.startsWith('--') && secretName(long[1]!)) {
      if (long[2] === '=') {
        const span = valueSpan(line, w.start + long[0].length, w.end);
        if (span) spans.push({ ...span, name: `--${long[1]}` });
      } else if (ws[k + 1] && !ws[k + 1]!.text.startsWith('-')) {
        const v = ws[k + 1]!;
        const span = valueSpan(line, v.start, v.end);
        if (span) spans.push({ ...span, name: `--${long[1]}` });
        k++;
      }
      continue;
    }
    if (tools.has('mysql') && /^-p.+/.test(w.text)) {
      const span = valueSpan(line, w.start + 2, w.end);
      if (span) spans.push({ ...span, name: '-p' });
      continue;
    }
    if (tools.has('sshpass') && w.text === '-p' && ws[k + 1]) {
      const v = ws[k + 1]!;
      const span = valueSpan(line, v.start, v.end);
      if (span) spans.push({ ...span, name: 'sshpass -p' });
      k++;
      continue;
    }
    if ((tools.has('curl') || tools.has('wget')) && (w.text === '-u' || w.text === '--user') && ws[k + 1]) {
      const v = ws[k + 1]!;
      const colon = line.indexOf(':', v.start);
      if (colon >= 0 && colon < v.end) {
        const span = valueSpan(line, colon + 1, v.end);
        if (span) spans.push({ ...span, name: `curl ${w.text}` });
      }
      k++;
    }
  }
  return spans;
}
