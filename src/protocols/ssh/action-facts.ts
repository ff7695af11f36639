// How an SSH action reads to policy. `text` is what a rule's pattern sees: the whole command line
// for ssh.exec and ssh.command, `upload PATH` / `download PATH` / `remove PATH` for ssh.file,
// `direct-tcpip HOST:PORT` for ssh.forward. `tools` lists the command names of every simple
// command in the line (after `;`, `&&`, `||`, `|`, `&`, `(`, `$(`, backquote, newline), with
// leading assignments skipped and wrappers such as sudo kept alongside the command they run, so a
// rule can match `tools: [shutdown, reboot]`. A best effort over shell syntax: docs/ssh.md says
// what it cannot see. Payloads come from clients: read defensively, never throw.
import { type ActionFacts, NO_FACTS } from '../../core/actions.js';
import type { EventType, JsonObject } from '../../core/events.js';

const WRAPPERS = new Set([
  'sudo',
  'doas',
  'env',
  'nohup',
  'time',
  'exec',
  'nice',
  'ionice',
  'command',
  'builtin',
  'xargs',
  'timeout',
  'watch',
  'su',
]);

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
      if (!WRAPPERS.has(name)) break;
      // A wrapper's own options and assignments come before the command it runs.
      i++;
      while (i < words.length && (words[i]!.startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!)))
        i++;
    }
  }
  return names;
}
