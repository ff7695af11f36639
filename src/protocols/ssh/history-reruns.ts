// Whether an interactive shell line would run text from the shell's history instead of (or inside)
// what it says. An interactive bash expands `!!`, `!42`, `!rm`, `!$` before it runs a line, and
// `^old^new` reruns the previous line changed; `fc` without -l runs a history entry (edited in an
// editor, or substituted with -s). The history may hold anything: a line from an earlier session,
// one written by `history -s`, a file read with `history -r`. The guard cannot judge such a line
// by its text, so it refuses it (fail closed). Errs towards "reruns": a line bash would leave alone
// may be refused, never the other way round.

import { commandNames } from './action-facts.js';

/** Why the line would run text from the history, or null when it would not. */
export function historyRerun(line: string): string | null {
  if (expandsHistory(line))
    return 'it uses history expansion (`!…`, `^old^new`), which runs a line from the history';
  if (runsFc(line, commandNames(line))) return '`fc` runs a line from the history (use `fc -l` to list)';
  return null;
}

/** What follows a `!` that bash leaves as it is (readline's history_no_expand_chars). */
const NOT_AN_EVENT = new Set([' ', '\t', '\n', '\r', '=']);

/** Whether bash's history expansion would act on a `!` in the line (or `^` at the start of one of its lines). */
export function expandsHistory(line: string): boolean {
  // Each line read is expanded, the continuation lines of a statement too.
  if (line.startsWith('^') || line.includes('\n^')) return true;
  let quote: 'none' | 'single' | 'double' = 'none';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote === 'single') {
      if (ch === "'") quote = 'none';
      continue;
    }
    if (ch === '\\') {
      i++;
      continue;
    }
    if (ch === "'" && quote === 'none') quote = 'single';
    else if (ch === '"') quote = quote === 'double' ? 'none' : 'double';
    else if (ch === '!') {
      const next = line[i + 1];
      if (next === undefined || NOT_AN_EVENT.has(next)) continue;
      // `"…!"`: a `!` that ends a double-quoted string is left as it is.
      if (quote === 'double' && next === '"') continue;
      // `$!` (the last background job) and `${!name}` (indirection) are parameters, not events;
      // bash still expands a `$!x` that starts a line, and a `${!` with no `}` after it on its line.
      const startsLine = i === 1 || line[i - 2] === '\n';
      if (line[i - 1] === '$' && !startsLine) continue;
      if (line[i - 1] === '{' && line[i - 2] === '$' && closedLater(line, i)) continue;
      return true;
    }
  }
  return false;
}

/** Whether a `}` follows position `i` on its line (bash reads `${!` as indirection only then). */
function closedLater(line: string, i: number): boolean {
  const end = line.indexOf('\n', i);
  return line.slice(i + 1, end < 0 ? line.length : end).includes('}');
}

/** Whether the line runs `fc` other than to list (`fc -l`): fc runs a history entry. */
export function runsFc(line: string, commands: readonly string[]): boolean {
  if (!commands.includes('fc')) return false;
  // Every `fc` word must be followed by an option cluster with `l` in it.
  for (const m of line.matchAll(/(?:^|[^\w.-])fc(?=$|[\s;&|)])(?:\s+(\S+))?/g)) {
    const option = m[1] ?? '';
    if (!/^-[A-Za-z]*l[A-Za-z]*$/.test(option)) return true;
  }
  return false;
}
