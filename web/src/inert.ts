// Recorded text, made visible before React renders it (as text, never as HTML). The rule is the
// CLI's (src/core/inert-text.ts over src/core/visible-text.ts), imported rather than copied, so the
// console and the terminal show a bidi override, a zero-width space or an ANSI escape the same way:
// as a visible `\u{…}` escape.
export { inertBlock, inertLine } from '../../src/core/inert-text.js';

/** A URL recorded data may show as a link: http(s) only, and never a link target for anything else. */
export function safeHttpUrl(text: string): string | null {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : null;
  } catch {
    return null;
  }
}
