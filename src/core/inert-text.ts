// Untrusted text made inert for a terminal. Recorded prompts, responses, statements, identity
// names and reasons come from people a reviewer may not trust: an escape sequence could clear the
// screen or retitle the window, a bidi override could reorder what an approver reads. Each such
// character is shown as a visible escape instead (docs/cli-output.md):
//
//   \\            a backslash (doubled, so every other backslash starts an escape)
//   \n \r \t      line feed (in a single line), carriage return, tab
//   \u{HEX}       any other control, format, bidi, zero-width, separator, unassigned or
//                 default-ignorable character, or a lone surrogate, by its code point
//
// The mapping is injective: decoding the escapes gives back the exact text.
import { HIDDEN_OR_CONTROL } from './visible-text.js';

const ESCAPED = new RegExp(`\\\\|${HIDDEN_OR_CONTROL.source}`, 'gu');
const HIDDEN = new RegExp(HIDDEN_OR_CONTROL.source, 'gu');

function escapeChar(char: string): string {
  switch (char) {
    case '\\':
      return '\\\\';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    default:
      return `\\u{${char.codePointAt(0)!.toString(16).toUpperCase()}}`;
  }
}

/** For a field on one line (a name, a reason, a table cell): line feeds are escaped too. */
export function inertLine(text: string): string {
  return text.replace(ESCAPED, escapeChar);
}

/** For multi-line content shown as lines (a prompt, a response): line feeds stay line feeds. */
export function inertBlock(text: string): string {
  return text.replace(ESCAPED, (char) => (char === '\n' ? '\n' : escapeChar(char)));
}

/**
 * JSON on one line whose strings are inert: what JSON.stringify leaves raw (DEL, C1 controls,
 * bidi and zero-width characters, U+2028) becomes a JSON `\u` escape of four hex digits, so the text still parses
 * back to the same value.
 */
export function inertJson(value: unknown): string {
  const json = JSON.stringify(value) ?? 'null';
  return json.replace(HIDDEN, (char) => {
    let out = '';
    for (let i = 0; i < char.length; i++)
      out += `\\u${char.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0')}`;
    return out;
  });
}
