// Keys whose string an agent's shell tool runs as a command line: an MCP call's arguments, a model's
// tool-use input, or the same written as a JSON text (a model's `function.arguments`). Such a string
// is read as the ssh module reads commands: secret options and variables (shell-line.ts), each
// mask ended where the shell reads code again (shell-code-clip.ts). Until 6 December
// `{"command": "mysql -uroot -p… -e …"}` was read as a JSON value only, and the password was
// recorded in clear.
import type { SecretNameMatcher } from './secret-names.js';
import { clipSpansToCode, shellCodeBreaks } from './shell-code-clip.js';
import { type ShellSecretSpan, shellSecretSpans } from './shell-line.js';

const SHELL_KEYS = /^(?:command|cmd|command_?line|shell_command|script|bash|sh)$/i;

export function isShellKey(name: string): boolean {
  return SHELL_KEYS.test(name);
}

/** The secret options and variables of a command line, each cut before code it runs. */
export function commandLineSecrets(line: string, secretName: SecretNameMatcher): ShellSecretSpan[] {
  const spans = shellSecretSpans(line, secretName);
  return spans.length === 0 ? spans : clipSpansToCode(line, spans, shellCodeBreaks(line));
}
