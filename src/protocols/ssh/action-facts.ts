// How an SSH action reads to policy. `text` is what a rule's pattern sees: the whole command line
// for ssh.exec and ssh.command, `upload PATH` / `download PATH` / `remove PATH` for ssh.file,
// `direct-tcpip HOST:PORT` for ssh.forward. `tools` lists the command names of every simple
// command in the line (after `;`, `&&`, `||`, `|`, `&`, `(`, `$(`, backquote, newline), with
// leading assignments skipped and wrappers such as sudo kept alongside the command they run, so a
// rule can match `tools: [shutdown, reboot]`. A best effort over shell syntax: docs/ssh.md says
// what it cannot see. Payloads come from clients: read defensively, never throw.
import { type ActionFacts, NO_FACTS } from '../../core/actions.js';
import type { EventType, JsonObject } from '../../core/events.js';

/** Wrappers that run another command, with their options that take a value (skipped with it). */
const WRAPPER_VALUE_OPTIONS: Readonly<Record<string, string>> = {
  sudo: 'ugpCDRTUh',
  doas: 'uC',
  env: 'uSC',
  nice: 'n',
  ionice: 'cnp',
  timeout: 'sk',
  xargs: 'nILPsdaE',
  nohup: '',
  time: '',
  exec: 'a',
  command: '',
  builtin: '',
  watch: 'nd',
  su: 'sg',
};

export function describeSshAction(type: EventType, payload: JsonObject): ActionFacts | null {
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  switch (type) {
    case 'ssh.exec':
    case 'ssh.command': {
      const command = str(payload.command);
      return { ...NO_FACTS, text: command, tools: commandNames(command) };
    }
    case 'ssh.file':
      return { ...NO_FACTS, text: `${str(payload.operation)} ${str(payload.path)}`.trim() };
    case 'ssh.forward':
      return {
        ...NO_FACTS,
        text: `${str(payload.kind)} ${str(payload.host)}:${String(payload.port ?? '')}`.trim(),
      };
    default:
      return null;
  }
}

/** The command names of each simple command of a shell line (basename of the program). */
export function commandNames(line: string): string[] {
  const names: string[] = [];
  for (const segment of line.split(/;|&&|\|\||\||&|\(|\)|\$\(|`|\n|\{|\}/)) {
    const words = segment
      .trim()
      .split(/\s+/)
      .filter((w) => w !== '');
    let i = 0;
    while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!)) i++;
    while (i < words.length) {
      const word = words[i]!.replace(/^['"]|['"]$/g, '');
      const name = word.slice(word.lastIndexOf('/') + 1);
      if (name === '' || name.startsWith('-')) break;
      if (!names.includes(name)) names.push(name);
      const valued = WRAPPER_VALUE_OPTIONS[name];
      if (valued === undefined) break;
      // A wrapper's options (with their values), assignments and a timeout's duration come before the command it runs.
      i++;
      while (i < words.length) {
        const w = words[i]!;
        if (/^-[A-Za-z]$/.test(w) && valued.includes(w[1]!)) i += 2;
        else if (
          w.startsWith('-') ||
          /^[A-Za-z_][A-Za-z0-9_]*=/.test(w) ||
          (name === 'timeout' && /^\d/.test(w))
        )
          i++;
        else break;
      }
    }
  }
  return names;
}
