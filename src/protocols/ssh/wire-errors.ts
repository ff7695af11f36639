// How a VigilError reaches an SSH user: one line on the channel's stderr (or the terminal), in
// words, with the stable code, and an exit status; the session goes on where it can. The message
// is Vigil's own text and never echoes what the client sent.
import type { VigilError } from '../../core/errors.js';

/** Exit status of a command Vigil refused (as a shell does for a command it cannot run). */
export const REFUSED_EXIT_STATUS = 126;

export function refusalText(error: VigilError): string {
  return `vigil: ${error.code}: ${error.message.replace(/[\r\n]+/g, ' ')}`;
}

/** The same, for a terminal: its own line, in red, ending with CRLF. */
export function terminalNotice(text: string): string {
  return `\r\n\x1b[31m${text}\x1b[0m\r\n`;
}
